import type { UnitSummary } from '../unit.ts';
import { getStrategy, strategiesWith } from '../../strategies/registry.ts';
import type { RunData } from './collect.ts';

/** Whether strategy `name` switches modes (has a switching block), so its switch count means something. */
const switches = (name: string): boolean => strategiesWith('switching').includes(name);

/** The header the switching strategies declare for their mode share (Shift: 'TP iters'); one column serves them all. */
const fractionHeader = (): string => [...new Set(strategiesWith('switching').map((n) => getStrategy(n).switching!.report.header))].join(' / ');

/** A column of the per-point tables: header, value, format, which direction is better. */
interface Column {
  readonly header: string;
  readonly value: (s: UnitSummary) => number | null | undefined;
  readonly format: (v: number) => string;
  readonly better?: 'lower' | 'higher';
  /** Only shown when some system has a value. */
  readonly optional?: boolean;
}

function fmtMs(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}
const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');
const fmtSec = (v: number): string => (v / 1000).toFixed(2);
const fmtPct = (v: number): string => `${(v * 100).toFixed(0)}%`;
const fmtRate = (v: number): string => v.toFixed(2);

const FULL: readonly Column[] = [
  { header: 'TTFT mean ms', value: (s) => s.ttft_ms.mean, format: fmtMs, better: 'lower' },
  { header: 'TTFT p50', value: (s) => s.ttft_ms.p50, format: fmtMs, better: 'lower' },
  { header: 'TTFT p99', value: (s) => s.ttft_ms.p99, format: fmtMs, better: 'lower' },
  { header: 'TPOT mean ms', value: (s) => s.tpot_ms.mean, format: fmtMs, better: 'lower' },
  { header: 'TPOT p99', value: (s) => s.tpot_ms.p99, format: fmtMs, better: 'lower' },
  { header: 'ITL p50 ms', value: (s) => s.itl_ms.p50, format: fmtMs, better: 'lower' },
  { header: 'E2E mean s', value: (s) => s.e2e_ms.mean, format: fmtSec, better: 'lower' },
  { header: 'throughput tok/s', value: (s) => s.throughput_tok_s, format: fmtInt, better: 'higher' },
  { header: 'goodput req/s', value: (s) => s.goodput_req_s, format: fmtRate, better: 'higher', optional: true },
  { header: 'finished', value: (s) => s.requests.finished, format: fmtInt },
  { header: 'rejected', value: (s) => s.requests.rejected, format: fmtInt },
  { header: 'in flight max', value: (s) => s.max_in_flight, format: fmtInt },
  { header: 'switches', value: (s) => (switches(s.strategy) ? s.switches : undefined), format: fmtInt, optional: true },
  { header: fractionHeader(), value: (s) => s.tp_iteration_fraction, format: fmtPct, optional: true },
];

const SHORT: readonly Column[] = [
  { header: 'TTFT mean ms', value: (s) => s.ttft_ms.mean, format: fmtMs, better: 'lower' },
  { header: 'TTFT p99', value: (s) => s.ttft_ms.p99, format: fmtMs, better: 'lower' },
  { header: 'TPOT mean ms', value: (s) => s.tpot_ms.mean, format: fmtMs, better: 'lower' },
  { header: 'E2E mean s', value: (s) => s.e2e_ms.mean, format: fmtSec, better: 'lower' },
  { header: 'tok/s', value: (s) => s.throughput_tok_s, format: fmtInt, better: 'higher' },
  { header: 'done', value: (s) => s.requests.finished, format: fmtInt },
  { header: 'switches', value: (s) => (switches(s.strategy) ? s.switches : undefined), format: fmtInt, optional: true },
];

export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** [row][column]: the best value of its column. */
  readonly best: readonly (readonly boolean[])[];
}

/** The table of one point: one row per system. */
export function pointTable(units: readonly { system: string; summary: UnitSummary }[], short = false): Table {
  const columns = (short ? SHORT : FULL).filter((c) => !c.optional || units.some((u) => c.value(u.summary) !== undefined && c.value(u.summary) !== null));
  const values = units.map((u) => columns.map((c) => c.value(u.summary) ?? null));
  const bestOf = columns.map((c, j) => {
    const xs = values.map((r) => r[j]).filter((v): v is number => v !== null);
    // Nothing to mark without a choice: fewer than two values, or all equal.
    if (!c.better || xs.length < 2 || xs.every((x) => x === xs[0])) return null;
    return c.better === 'lower' ? Math.min(...xs) : Math.max(...xs);
  });
  return {
    header: ['system', ...columns.map((c) => c.header)],
    rows: units.map((u, i) => [u.system, ...columns.map((c, j) => (values[i]![j] === null ? '–' : c.format(values[i]![j]!)))]),
    best: units.map((_, i) => [false, ...columns.map((_, j) => bestOf[j] !== null && values[i]![j] === bestOf[j])]),
  };
}

export function markdownTable(t: Table): string {
  const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const align = t.header.map((_, j) => (j === 0 ? ':--' : '--:'));
  return [row(t.header), row(align), ...t.rows.map((r, i) => row(r.map((c, j) => (t.best[i]![j] ? `**${c}**` : c))))].join('\n');
}

/** What the '*' of plainTable means, for a line under the tables. */
export const BEST_MARK_LEGEND = '* best of its column at that point (lowest latency, highest throughput; several when tied)';

/** Fixed-width text; best values marked with '*' (see BEST_MARK_LEGEND). */
export function plainTable(t: Table): string {
  const cells = [t.header, ...t.rows.map((r, i) => r.map((c, j) => (t.best[i]![j] ? `${c}*` : c)))];
  const widths = t.header.map((_, j) => Math.max(...cells.map((r) => r[j]!.length)));
  return cells.map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ')).join('\n');
}

/** The headline metrics compared across systems (winners table, relative plot). */
export const HEADLINE: readonly { readonly header: string; readonly value: (s: UnitSummary) => number | null; readonly better: 'lower' | 'higher' }[] = [
  { header: 'TTFT mean', value: (s) => s.ttft_ms.mean, better: 'lower' },
  { header: 'TPOT mean', value: (s) => s.tpot_ms.mean, better: 'lower' },
  { header: 'E2E mean', value: (s) => s.e2e_ms.mean, better: 'lower' },
  { header: 'throughput', value: (s) => s.throughput_tok_s, better: 'higher' },
];

/** Values closer than this (relative) are a tie: the margin would print as 0.00%. */
export const TIE = 0.0001;

/** Relative difference of two values of a metric (0 when both are 0). */
const gap = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/**
 * Which system is best at each point for each headline metric (where each wins), with its
 * margin over the runner-up, so that a win by a hair reads as one; systems within TIE of the
 * best are a tie, listed together.
 */
export function winnersTable(data: RunData, label: (i: number) => string): Table {
  const rows = data.points.map((p, i) => [
    label(i),
    ...HEADLINE.map((m) => {
      const sign = m.better === 'lower' ? 1 : -1;
      const scored = p.units
        .map((u) => ({ name: u.system, v: m.value(u.summary) }))
        .filter((x): x is { name: string; v: number } => x.v !== null)
        .sort((a, b) => sign * (a.v - b.v));
      const best = scored[0];
      if (!best) return '–';
      const tied = scored.filter((x) => gap(x.v, best.v) < TIE);
      if (tied.length > 1) return `tie: ${tied.map((x) => x.name).join(', ')}${tied.length === scored.length ? ' (all)' : ''}`;
      const next = scored[1];
      if (!next || next.v === 0) return best.name;
      const margin = Math.abs(next.v - best.v) / Math.abs(next.v);
      return `${best.name} (by ${(margin * 100).toFixed(margin < 0.01 ? 2 : 1)}%)`;
    }),
  ]);
  return { header: ['point', ...HEADLINE.map((m) => `best ${m.header}`)], rows, best: rows.map((r) => r.map(() => false)) };
}
