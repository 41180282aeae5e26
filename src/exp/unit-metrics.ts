import type { RequestRow } from '../sim/index.ts';
import type { TraceRequest } from '../traces/index.ts';
import { maxOverlap } from './stats.ts';
import type { RequestColumns, Timeline } from './unit.ts';

/**
 * Per-request columns of a unit: every request of the workload, in arrival order, with the
 * simulator's row where it finished (times in ms; null where it has none: rejected, or TPOT of
 * a 1-token request).
 */
export function requestColumns(arrived: readonly TraceRequest[], rows: readonly RequestRow[]): RequestColumns {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ms = (s: number | undefined): number | null => (s === undefined || !Number.isFinite(s) ? null : s * 1000);
  const cols: RequestColumns = { id: [], arrival: [], input: [], output: [], replica: [], ttft_ms: [], tpot_ms: [], e2e_ms: [], preemptions: [] };
  for (const q of arrived) {
    const r = byId.get(q.id);
    cols.id.push(q.id);
    cols.arrival.push(q.arrival);
    cols.input.push(q.input);
    cols.output.push(q.output);
    cols.replica.push(r?.replica ?? null);
    cols.ttft_ms.push(ms(r?.ttft));
    cols.tpot_ms.push(ms(r?.tpot));
    cols.e2e_ms.push(ms(r?.e2e));
    cols.preemptions.push(r?.preemptions ?? null);
  }
  return cols;
}

/**
 * Most requests in the system at once (arrived, not yet finished; a rejected request leaves at
 * once). 1 proves a latency workload ran one request at a time.
 */
export function maxInFlight(arrived: readonly TraceRequest[], rows: readonly RequestRow[]): number {
  const finish = new Map(rows.map((r) => [r.id, r.finish]));
  return maxOverlap(arrived.map((q) => [q.arrival, finish.get(q.id) ?? q.arrival] as const));
}

/**
 * Engine iterations (all replicas) kept compactly while a unit runs, then binned over simulated
 * time into a Timeline. `shift` records which iterations ran the full-TP shift model.
 */
export class IterationLog {
  private readonly starts: number[] = [];
  private readonly tokens: number[] = [];
  private readonly tp: boolean[] = [];

  constructor(private readonly shift: boolean) {}

  add(start: number, tokens: number, mode: string): void {
    this.starts.push(start);
    this.tokens.push(tokens);
    if (this.shift) this.tp.push(mode === 'tp');
  }

  bin(bins: number): Timeline {
    // A loop, not Math.max(...xs): a long trace outgrows the argument limit.
    const end = this.starts.reduce((a, t) => Math.max(a, t), 0);
    const width = end > 0 ? end / bins : 1;
    const count = Array<number>(bins).fill(0);
    const tokens = Array<number>(bins).fill(0);
    const tp = Array<number>(bins).fill(0);
    this.starts.forEach((t, i) => {
      const b = Math.min(bins - 1, Math.floor(t / width));
      count[b]!++;
      tokens[b]! += this.tokens[i]!;
      if (this.tp[i]) tp[b]!++;
    });
    return {
      bin_s: width,
      iterations: count,
      tokens: tokens.map((t, b) => (count[b]! > 0 ? t / count[b]! : 0)),
      tp_fraction: this.shift ? tp.map((n, b) => (count[b]! > 0 ? n / count[b]! : null)) : null,
    };
  }
}
