import type { CompareConfig, MetricPath } from '../config/schema.ts';
import type { UnitSummary } from '../unit.ts';
import { type RunData, pointLabel } from './collect.ts';

/** A `compare` line evaluated at one point: our ratio beside the published one. */
export interface CompareRow {
  readonly label: string;
  readonly point: string;
  readonly metric: MetricPath;
  readonly system: string;
  readonly baseline: string;
  readonly system_value: number | null;
  readonly baseline_value: number | null;
  /** > 1 means the system is better: baseline/system for latencies, system/baseline for rates. */
  readonly ratio: number | null;
  readonly paper?: number;
  /** Why there is no ratio (a skipped workload, a missing value). */
  readonly note?: string;
}

const HIGHER_IS_BETTER = new Set<MetricPath>(['throughput_tok_s', 'goodput_req_s']);

function metricValue(s: UnitSummary, metric: MetricPath): number | null {
  const [head, tail] = metric.split('.') as [string, string | undefined];
  const v = (s as unknown as Record<string, unknown>)[head];
  if (tail === undefined) return typeof v === 'number' ? v : null;
  const x = (v as Record<string, unknown> | undefined)?.[tail];
  return typeof x === 'number' ? x : null;
}

function higherIsBetter(metric: MetricPath): boolean {
  return HIGHER_IS_BETTER.has(metric);
}

const unit = (metric: MetricPath): string => (metric.includes('_ms') ? ' ms' : metric === 'throughput_tok_s' ? ' tok/s' : ' req/s');
const num = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/**
 * A ratio in words, saying of what it is and which way is better:
 * '0.38× (TP 157 ms / Shift 412 ms: Shift is 2.63× slower)'.
 */
export function explainRatio(r: CompareRow): string {
  if (r.ratio === null || r.system_value === null || r.baseline_value === null) return `– (${r.note ?? 'no value'})`;
  const u = unit(r.metric);
  const higher = higherIsBetter(r.metric);
  const [top, bottom] = higher ? [[r.system, r.system_value], [r.baseline, r.baseline_value]] : [[r.baseline, r.baseline_value], [r.system, r.system_value]];
  const formula = `${top[0]} ${num(top[1] as number)}${u} / ${bottom[0]} ${num(bottom[1] as number)}${u}`;
  const factor = r.ratio >= 1 ? r.ratio : 1 / r.ratio;
  const verdict =
    Math.abs(r.ratio - 1) < 0.005 ? `${r.system} and ${r.baseline} about equal`
    : higher ? `${r.system} is ${factor.toFixed(2)}× ${r.ratio > 1 ? 'higher' : 'lower'}`
    : `${r.system} is ${factor.toFixed(2)}× ${r.ratio > 1 ? 'faster' : 'slower'}`;
  return `${r.ratio.toFixed(2)}× (${formula}: ${verdict})`;
}

function describe(c: CompareConfig): string {
  return c.label ?? c.metric;
}

export function compareRows(data: RunData): CompareRow[] {
  return data.manifest.compare.flatMap((c): CompareRow[] => {
    const base = { label: describe(c), metric: c.metric, system: c.system, baseline: c.baseline, ...(c.paper === undefined ? {} : { paper: c.paper }) };
    const skipped = data.manifest.skipped.find((s) => s.workload === c.workload);
    const points = data.points.filter((p) => p.plan.workload === c.workload);
    if (points.length === 0) {
      return [{ ...base, point: c.workload, system_value: null, baseline_value: null, ratio: null, note: skipped ? 'workload skipped (trace not found)' : 'not run in this shard' }];
    }
    return points.map((p) => {
      const find = (name: string): UnitSummary | undefined => p.units.find((u) => u.system === name)?.summary;
      const [sv, bv] = [find(c.system), find(c.baseline)].map((s) => (s ? metricValue(s, c.metric) : null)) as [number | null, number | null];
      const ratio = sv === null || bv === null || sv === 0 || bv === 0 ? null : higherIsBetter(c.metric) ? sv / bv : bv / sv;
      return { ...base, point: pointLabel(p.plan), system_value: sv, baseline_value: bv, ratio, ...(ratio === null ? { note: 'no value' } : {}) };
    });
  });
}
