import type { IterationCostModel } from '../cost/iteration.ts';
import type { IterationShape } from '../cost/iteration.ts';
import type { ModeId } from '../parallel/mode.ts';
import { createDeployment, simulate, synthetic, type SystemSpec } from '../sim/index.ts';

/**
 * A simulated run reduced to what its metrics depend on: each engine's iterations (mode and the
 * shape the cost model priced) and, per request, the iterations of its first and last token.
 *
 * When every request arrives at t = 0 (a saturation run, or a single request) and the policy
 * reads token counts only (Shift's threshold), the schedule does not depend on how long an
 * iteration takes: the scheduler sees the same queues whatever the clock says, and the KV pool
 * does not depend on the hardware constants being fitted. So a run recorded once can be priced
 * on any profile by summing its iterations' times: that is how `yarn calibrate fit` evaluates
 * hundreds of profiles in seconds. test/calibrate-fit.test.ts checks that a priced schedule
 * equals a full simulation on another profile.
 */
export interface RecordedSchedule {
  readonly spec: SystemSpec;
  readonly cost: IterationCostModel;
  /** Per distinct engine schedule (DP replicas that ran the same iterations share one), its iterations in order. */
  readonly engines: readonly (readonly { readonly mode: ModeId; readonly shape: IterationShape }[])[];
  /** `replica`: the index of the request's engine schedule in `engines`. */
  readonly requests: readonly { readonly replica: number; readonly first: number; readonly last: number; readonly input: number; readonly output: number }[];
}

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** Simulates `count` requests of input/output tokens all arriving at t = 0 and records the schedule. */
export async function recordSchedule(spec: SystemSpec, input: number, output: number, count: number): Promise<RecordedSchedule> {
  const deployment = await createDeployment(spec);
  const engines: { mode: ModeId; shape: IterationShape; start: number; end: number }[][] = [];
  const rows: { replica: number; first: number; last: number; input: number; output: number }[] = [];
  // The run traces into the cache the recorded cost model prices from later.
  await simulate({ ...spec, traces: deployment.cost.traceCache }, synthetic({ count, input, output }), {
    onIteration: (row) => (engines[row.replica] ??= []).push({ mode: row.mode, shape: row.shape, start: row.start, end: row.end }),
    onRequest: (row) => rows.push({ replica: row.replica, first: row.first_token, last: row.finish, input: row.input, output: row.output }),
  });
  const ends = engines.map((its, replica) => {
    const index = new Map<number, number>();
    its.forEach((it, i) => {
      // Busy from t = 0 without a gap: otherwise the clock (and so the profile) shaped the schedule.
      if (it.start !== (i === 0 ? 0 : its[i - 1]!.end)) throw new ScheduleError(`${spec.name}: engine ${replica} idled before iteration ${i}; only runs whose requests all arrive at t = 0 can be re-priced`);
      index.set(it.end, i);
    });
    return index;
  });
  const at = (replica: number, time: number): number => {
    const i = ends[replica]?.get(time);
    if (i === undefined) throw new ScheduleError(`${spec.name}: a token at ${time} s matches no iteration end of engine ${replica} (a front-end time in the recording profile?)`);
    return i;
  };
  if (rows.length !== count) throw new ScheduleError(`${spec.name}: ${count - rows.length} of ${count} requests did not finish`);
  // DP replicas given the same requests run the same iterations: price each distinct one once.
  const unique: { mode: ModeId; shape: IterationShape }[][] = [];
  const engineOf = engines.map((its) => {
    const same = unique.findIndex((u) => sameIterations(u, its));
    if (same >= 0) return same;
    unique.push(its.map(({ mode, shape }) => ({ mode, shape })));
    return unique.length - 1;
  });
  return {
    spec,
    cost: deployment.cost,
    engines: unique,
    requests: rows.map((r) => ({ replica: engineOf[r.replica]!, first: at(r.replica, r.first), last: at(r.replica, r.last), input: r.input, output: r.output })),
  };
}

function sameIterations(a: readonly { mode: ModeId; shape: IterationShape }[], b: readonly { mode: ModeId; shape: IterationShape }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    if (x.mode !== y.mode) return false;
    const [s, t] = [x.shape, y.shape];
    if (s.tokens !== t.tokens || s.sampled !== t.sampled || s.seqs !== t.seqs || s.decodes !== t.decodes || s.decodeContext !== t.decodeContext) return false;
    if (s.chunks.length !== t.chunks.length || s.chunks.some((c, k) => c.q !== t.chunks[k]!.q || c.ctx !== t.chunks[k]!.ctx)) return false;
  }
  return true;
}

/** What a priced schedule yields: the means over requests, as the simulator reports them. */
export interface ScheduleMetrics {
  readonly ttft_ms: number;
  readonly tpot_ms: number;
  readonly throughput_tok_s: number;
}

/** The schedule's metrics on `cost` (the recorded deployment on another profile), with the front-end time per request. */
export function priceSchedule(s: RecordedSchedule, cost: IterationCostModel, frontendS: number): ScheduleMetrics {
  const ends = s.engines.map((its) => {
    let t = 0;
    return its.map((it) => (t += cost.time(cost.modeIndex(it.mode), it.shape)));
  });
  let ttft = 0;
  let tpot = 0;
  let tpotCount = 0;
  let last = 0;
  let tokens = 0;
  for (const r of s.requests) {
    const first = ends[r.replica]![r.first]! + frontendS;
    const end = ends[r.replica]![r.last]! + frontendS;
    ttft += first;
    if (r.output > 1) {
      tpot += (end - first) / (r.output - 1);
      tpotCount++;
    }
    last = Math.max(last, end);
    tokens += r.input + r.output;
  }
  const n = s.requests.length;
  return { ttft_ms: (ttft / n) * 1e3, tpot_ms: tpotCount > 0 ? (tpot / tpotCount) * 1e3 : NaN, throughput_tok_s: last > 0 ? tokens / last : 0 };
}
