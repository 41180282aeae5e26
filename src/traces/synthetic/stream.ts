import { Rng } from '../../util/rng.ts';
import { TraceOptionsError } from '../errors.ts';
import { loadLengths, type LengthTable, type StreamHandle } from '../load.ts';
import { newLoadStats, resetLoadStats, type LoadStats } from '../stats.ts';
import type { RequestStream, TraceRequest } from '../types.ts';
import { arrivalTimes, endsByItself, type ArrivalSpec } from './arrivals.ts';
import { requireInteger, requirePositive } from './check.ts';
import { lengthSampler, type LengthSpec } from './lengths.ts';

/**
 * A synthetic workload: an arrival process, a length distribution and where it stops: after
 * `count` requests and/or at the first arrival at or after `duration` seconds, whichever comes
 * first. An endless process needs at least one of them.
 */
export interface SyntheticSpec {
  readonly arrivals: ArrivalSpec;
  readonly lengths: LengthSpec;
  readonly count?: number;
  readonly duration?: number;
}

/** Resolves a length file's name or path to a table (lets the caller choose the traces dirs). */
export type LengthLoader = (file: string, maxRows?: number) => Promise<LengthTable>;

const defaultLoader: LengthLoader = (file, maxRows) =>
  loadLengths(file, maxRows === undefined ? {} : { maxRows });

/**
 * The stream of a synthetic workload. Seeded: arrivals and lengths draw from two generators
 * derived from `seed`, so changing the length spec leaves the arrival times unchanged. Every
 * iteration restarts from the seed and yields the identical sequence.
 */
export function syntheticStream(
  spec: SyntheticSpec,
  seed: string | number,
  loader: LengthLoader = defaultLoader,
): StreamHandle {
  checkStop(spec);
  // Fail early on bad parameters (the generators check them again when iterated).
  arrivalTimes(spec.arrivals, new Rng(seed)).next();
  const lengths = spec.lengths;
  if (lengths.kind !== 'file') lengthSampler(lengths);
  else if (lengths.maxRows !== undefined) requireInteger('lengths.maxRows', lengths.maxRows, 1);
  const stats = newLoadStats();
  // The length file is read once, on the first iteration, and shared by later ones.
  let table: Promise<LengthTable> | undefined;
  const loadTable =
    lengths.kind === 'file' ? (): Promise<LengthTable> => (table ??= loader(lengths.file, lengths.maxRows)) : undefined;
  const stream: RequestStream = {
    [Symbol.asyncIterator]: () => {
      resetLoadStats(stats);
      return generate(spec, seed, loadTable, stats);
    },
  };
  return { stream, stats };
}

function checkStop(spec: SyntheticSpec): void {
  if (spec.count !== undefined) requireInteger('count', spec.count, 1);
  if (spec.duration !== undefined) requirePositive('duration', spec.duration);
  if (spec.count === undefined && spec.duration === undefined && !endsByItself(spec.arrivals)) {
    throw new TraceOptionsError(
      `a '${spec.arrivals.kind}' arrival process never ends: give count (requests) or duration (seconds)`,
    );
  }
  if (spec.arrivals.kind === 'saturate' && spec.count === undefined) {
    throw new TraceOptionsError(`'saturate' puts every request at t = 0: give count (requests)`);
  }
}

async function* generate(
  spec: SyntheticSpec,
  seed: string | number,
  loadTable: (() => Promise<LengthTable>) | undefined,
  stats: LoadStats,
): AsyncGenerator<TraceRequest> {
  const sample = lengthSampler(spec.lengths, loadTable === undefined ? undefined : await loadTable());
  const times = arrivalTimes(spec.arrivals, new Rng(`${seed}/arrivals`));
  const rng = new Rng(`${seed}/lengths`);
  const count = spec.count ?? Infinity;
  const duration = spec.duration ?? Infinity;
  for (let id = 0; id < count; id++) {
    const t = times.next();
    if (t.done === true || t.value >= duration) break;
    const { input, output } = sample(rng);
    stats.requests = id + 1;
    yield { id, arrival: t.value, input, output };
  }
  stats.done = true;
}

/**
 * One spec per rate, for a rate sweep (each its own stream): the spec's steady rate replaced.
 * Use the same seed for every rate so that the runs share their random numbers.
 */
export function rateSweep(spec: SyntheticSpec, rates: readonly number[]): SyntheticSpec[] {
  return rates.map((rate, i) => {
    requirePositive(`rates[${i}]`, rate);
    const a = spec.arrivals;
    if (a.kind === 'poisson' || a.kind === 'gamma' || a.kind === 'constant') return { ...spec, arrivals: { ...a, rate } };
    if (a.kind === 'bursts') return { ...spec, arrivals: { ...a, baseRate: rate } };
    throw new TraceOptionsError(`a rate sweep needs arrivals with a rate; '${a.kind}' has none`);
  });
}
