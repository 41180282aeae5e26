import type { Rng } from '../../util/rng.ts';
import { TraceOptionsError } from '../errors.ts';
import { requireInteger, requirePositive } from './check.ts';
import { sampleGamma } from './gamma.ts';

/**
 * Arrival processes. Times are seconds; the first arrival of a steady process is at 0 (as vLLM's
 * benchmark sends its first request at once), the next ones after independent gaps.
 *
 * - poisson: exponential gaps, mean 1/rate.
 * - gamma: gamma gaps with mean 1/rate and coefficient of variation `cv` (shape 1/cv²), or
 *   vLLM's `burstiness` b, which is the shape itself (cv = 1/√b). cv 1 is Poisson, > 1 burstier.
 * - constant: gaps of exactly 1/rate.
 * - saturate: every request at t = 0 (vLLM's rate = inf; needs a request count).
 * - bursts: a steady Poisson stream at `baseRate` (0 for none) plus bursts; the `size` requests of
 *   a burst arrive at `at` when `duration` is 0 (default), else at uniform random times in
 *   [at, at + duration) (a Poisson process conditioned on its count). Bursts are either listed
 *   or periodic: `count` bursts at first, first + period, ...
 *   The paper's bursty mix (four bursts over a low steady stream) left sizes unpublished; one
 *   reasonable choice is { baseRate: 1, bursts: { count: 4, size: 200, first: 60, period: 120,
 *   duration: 10 } }.
 */
export type ArrivalSpec =
  | { readonly kind: 'poisson'; readonly rate: number }
  | { readonly kind: 'gamma'; readonly rate: number; readonly cv: number }
  | { readonly kind: 'gamma'; readonly rate: number; readonly burstiness: number }
  | { readonly kind: 'constant'; readonly rate: number }
  | { readonly kind: 'saturate' }
  | { readonly kind: 'bursts'; readonly baseRate: number; readonly bursts: readonly BurstSpec[] | PeriodicBursts };

export interface BurstSpec {
  readonly at: number;
  readonly size: number;
  readonly duration?: number;
}

export interface PeriodicBursts {
  readonly count: number;
  readonly size: number;
  readonly first: number;
  readonly period: number;
  readonly duration?: number;
}

/** Whether a process ends by itself (so a stream of it needs neither count nor duration). */
export function endsByItself(spec: ArrivalSpec): boolean {
  return spec.kind === 'bursts' && spec.baseRate === 0;
}

/** The arrival times of a process, in order; endless unless `endsByItself(spec)`. */
export function arrivalTimes(spec: ArrivalSpec, rng: Rng): Iterator<number> {
  switch (spec.kind) {
    case 'poisson':
      requirePositive('arrivals.rate', spec.rate);
      return fromGaps(() => exponential(rng) / spec.rate);
    case 'gamma': {
      requirePositive('arrivals.rate', spec.rate);
      const shape = gammaShape(spec);
      const scale = 1 / (spec.rate * shape);
      return fromGaps(() => sampleGamma(shape, rng) * scale);
    }
    case 'constant':
      requirePositive('arrivals.rate', spec.rate);
      return fromGaps(() => 1 / spec.rate);
    case 'saturate':
      return fromGaps(() => 0);
    case 'bursts':
      return burstArrivals(spec.baseRate, expandBursts(spec.bursts), rng);
  }
}

/** Gamma shape from cv (1/cv²) or from vLLM burstiness (the shape itself). */
function gammaShape(spec: { readonly cv: number } | { readonly burstiness: number }): number {
  if ('cv' in spec) {
    requirePositive('arrivals.cv', spec.cv);
    return 1 / (spec.cv * spec.cv);
  }
  requirePositive('arrivals.burstiness', spec.burstiness);
  return spec.burstiness;
}

function exponential(rng: Rng): number {
  return -Math.log(1 - rng.uniform()); // 1 - U is in (0, 1], so the log is finite
}

function* fromGaps(gap: () => number): Generator<number> {
  let t = 0;
  for (;;) {
    yield t;
    t += gap();
  }
}

/** A burst list from either form, checked. */
export function expandBursts(b: readonly BurstSpec[] | PeriodicBursts): BurstSpec[] {
  let list: BurstSpec[];
  if (Array.isArray(b)) {
    list = [...(b as readonly BurstSpec[])];
  } else {
    const p = b as PeriodicBursts;
    requireInteger('arrivals.bursts.count', p.count, 1);
    requirePositive('arrivals.bursts.period', p.period);
    list = Array.from({ length: p.count }, (_, i) => ({
      at: p.first + i * p.period,
      size: p.size,
      ...(p.duration === undefined ? {} : { duration: p.duration }),
    }));
  }
  list.forEach((x, i) => {
    if (!(Number.isFinite(x.at) && x.at >= 0)) {
      throw new TraceOptionsError(`arrivals.bursts[${i}].at must be seconds >= 0, got ${x.at}`);
    }
    requireInteger(`arrivals.bursts[${i}].size`, x.size, 1);
    const d = x.duration ?? 0;
    if (!(Number.isFinite(d) && d >= 0)) {
      throw new TraceOptionsError(`arrivals.bursts[${i}].duration must be seconds >= 0, got ${d}`);
    }
  });
  return list;
}

/** The merged, ordered arrivals of the base stream and all bursts (bursts held in memory). */
function* burstArrivals(baseRate: number, bursts: readonly BurstSpec[], rng: Rng): Generator<number> {
  if (!(Number.isFinite(baseRate) && baseRate >= 0)) {
    throw new TraceOptionsError(`arrivals.baseRate must be a finite number >= 0 (0: no steady stream), got ${baseRate}`);
  }
  const burstTimes: number[] = [];
  for (const b of bursts) {
    const d = b.duration ?? 0;
    for (let k = 0; k < b.size; k++) burstTimes.push(b.at + (d > 0 ? rng.uniform() * d : 0));
  }
  burstTimes.sort((x, y) => x - y);
  const base = baseRate > 0 ? fromGaps(() => exponential(rng) / baseRate) : undefined;
  let nextBase = base?.next().value ?? Infinity;
  let i = 0;
  while (i < burstTimes.length || nextBase < Infinity) {
    const nextBurst = burstTimes[i] ?? Infinity;
    if (nextBurst <= nextBase) {
      yield nextBurst;
      i++;
    } else {
      yield nextBase;
      nextBase = (base as Generator<number>).next().value as number;
    }
  }
}
