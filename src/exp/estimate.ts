import type { Point } from './config/resolve.ts';
import type { ResolvedWorkload } from './config/resolve-workload.ts';
import type { ArrivalSpec } from '../traces/synthetic/arrivals.ts';

/**
 * How big a run is before it starts: units, requests and a rough wall time, so that a sweep of
 * 50,000 units or a workload of 10⁹ requests is noticed before it runs for days.
 *
 * The time model is deliberately crude: WORKER_START + (SECONDS_PER_UNIT + SECONDS_PER_REQUEST ×
 * requests) per unit, spread over the workers. The constants come from simulating 1,000–4,000
 * requests of Llama-3.3-70B on 8× H200 (TP, Shift, DP; one to sixteen requests per second:
 * 0.4–1.5 ms a request) and from configs/smoke.yaml and configs/shift-vs-tp.yaml at --jobs 2,
 * all on a 2-core machine. A machine shared with other work takes several times longer; the
 * estimate is meant to tell seconds from hours from days.
 */
const WORKER_START = 2;
const SECONDS_PER_UNIT = 0.5;
const SECONDS_PER_REQUEST = 0.001;

/** Above either, an interactive run asks before it starts (see the CLI's --yes). */
export const CONFIRM_ABOVE = { units: 10_000, seconds: 30 * 60 } as const;

export interface RunEstimate {
  readonly units: number;
  /** Requests simulated over all units (each unit replays its point's workload once). */
  readonly requests: number;
  readonly seconds: number;
  readonly jobs: number;
}

/** Requests of one arrival process until `duration` seconds (expected value for random ones). */
function arrivalsUntil(a: ArrivalSpec, duration: number | undefined): number {
  const d = duration ?? Infinity;
  switch (a.kind) {
    case 'poisson':
    case 'gamma':
    case 'constant':
      return a.rate * d;
    case 'saturate':
      return Infinity;
    case 'bursts': {
      const list = Array.isArray(a.bursts) ? a.bursts : [];
      const periodic = Array.isArray(a.bursts) ? undefined : (a.bursts as { count: number; size: number; first: number; period: number });
      const bursts = periodic ? Array.from({ length: periodic.count }, (_, i) => ({ at: periodic.first + i * periodic.period, size: periodic.size })) : list;
      return bursts.filter((b) => b.at < d).reduce((n, b) => n + b.size, 0) + (a.baseRate > 0 ? a.baseRate * d : 0);
    }
  }
}

/** Requests a workload replays: counted for traces, expected for synthetic ones. */
export function workloadRequests(w: ResolvedWorkload): number {
  if (w.requests !== undefined) return w.requests;
  const spec = w.spec;
  if ('trace' in spec) return spec.maxRequests ?? 0;
  const { count, duration, arrivals } = spec.synthetic;
  return Math.round(Math.min(count ?? Infinity, arrivalsUntil(arrivals, duration)));
}

/**
 * The estimate of running the points' simulations (`simulationsOfPoint` each) on `jobs` workers,
 * of which at most `parallel` are busy at once (default: one per simulation; a search runs a
 * candidate's simulations one after another, so as many as its candidates).
 */
export function estimateRun(points: readonly Point[], simulationsOfPoint: (p: Point) => number, jobs: number, parallel?: number): RunEstimate {
  let units = 0;
  let requests = 0;
  let seconds = 0;
  for (const p of points) {
    const n = simulationsOfPoint(p);
    const r = workloadRequests(p.workload);
    units += n;
    requests += n * r;
    seconds += n * (SECONDS_PER_UNIT + SECONDS_PER_REQUEST * r);
  }
  const workers = Math.max(1, Math.min(jobs, parallel ?? units));
  return { units, requests, seconds: WORKER_START + seconds / workers, jobs: workers };
}

export function needsConfirmation(e: RunEstimate): boolean {
  return e.units > CONFIRM_ABOVE.units || e.seconds > CONFIRM_ABOVE.seconds;
}

/** '45 s', '12 min', '3.4 h', '2.1 days'. */
export function formatDuration(s: number): string {
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

const count = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toPrecision(3)} billion` : n >= 1e6 ? `${(n / 1e6).toPrecision(3)} million` : n.toLocaleString('en-US'));

/** 'plan: 48 unit(s) (12 point(s) × 4 system(s)), 96,000 requests to simulate; estimated ~2 min on 2 worker(s) (rough; ...)'. */
export function describeEstimate(e: RunEstimate, shape: string, noun = 'unit(s)'): string {
  return `plan: ${count(e.units)} ${noun}${shape ? ` (${shape})` : ''}, ${count(e.requests)} requests to simulate; estimated ~${formatDuration(e.seconds)} on ${e.jobs} worker(s) (rough; longer on a busy machine)`;
}
