import type { TraceWorkload, WorkloadSpec } from '../../traces/workload.ts';
import { openWorkload } from '../../traces/index.ts';

/**
 * The search's variable: a workload's mean arrival rate. A synthetic workload gets the rate as
 * its arrivals' `rate`; a trace is replayed with its inter-arrival times scaled so that its mean
 * rate (requests / (last arrival − first arrival), as the traces README defines it) is the rate.
 */
export class SearchRateError extends Error {
  override readonly name = 'SearchRateError';
}

/** Arrival kinds with a rate to set. */
const RATED = new Set(['poisson', 'gamma', 'constant']);

export function hasRate(spec: WorkloadSpec): boolean {
  return 'trace' in spec || RATED.has(spec.synthetic.arrivals.kind);
}

/**
 * The trace's own mean rate in the window (requests per second at time scale 1). Needs at least
 * two requests at different times.
 */
export async function nativeRate(spec: TraceWorkload): Promise<{ rate: number; requests: number; span_s: number }> {
  const { timeScale: _t, ...unscaled } = spec;
  let [first, last, n] = [Infinity, -Infinity, 0];
  for await (const r of openWorkload(unscaled).stream) {
    first = Math.min(first, r.arrival);
    last = Math.max(last, r.arrival);
    n++;
  }
  if (n < 2 || !(last > first)) throw new SearchRateError(`the trace window holds ${n} request(s) spanning ${n > 0 ? last - first : 0} s: a search scales its rate, which needs at least two requests at different times (widen window or max_requests)`);
  return { rate: n / (last - first), requests: n, span_s: last - first };
}

/** The workload at `rate` requests per second; `native` is the trace's own rate (see nativeRate). */
export function workloadAtRate(spec: WorkloadSpec, rate: number, native: number | undefined): WorkloadSpec {
  if ('trace' in spec) {
    if (native === undefined) throw new SearchRateError('a trace workload needs its native rate to be scaled');
    return { ...spec, timeScale: native / rate };
  }
  const a = spec.synthetic.arrivals;
  if (!RATED.has(a.kind)) throw new SearchRateError(`arrivals of kind '${a.kind}' have no rate to search over (use poisson, gamma or constant)`);
  return { ...spec, synthetic: { ...spec.synthetic, arrivals: { ...a, rate } as typeof a } };
}
