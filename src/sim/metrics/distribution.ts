import { DDSketch } from '@datadog/sketches-js';

/**
 * A distribution of positive values in bounded memory: exact values while there are at most
 * `exactCap` (512 KB at the default), then a DDSketch (Masson, Rim & Lee, VLDB 2019; npm
 * @datadog/sketches-js) whose quantiles are within SKETCH_RELATIVE_ACCURACY of the order
 * statistic at the quantile's rank, in a few thousand bins whatever the count. So a replay of
 * millions of requests (or billions of tokens) aggregates its latencies in fixed memory.
 *
 * Quantiles of exact values interpolate linearly between order statistics (numpy's default, as
 * vLLM's benchmark reports); the sketch answers with the order statistic at rank ⌊q·(n−1)⌋ to
 * within its relative accuracy.
 *
 * Equal values in a row reach the sketch once, with their count as weight (the same bins as one
 * by one): the inter-token latencies of one iteration's decodes are one value, and the sketch's
 * logarithm per value was the simulator's largest single cost.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.001;

/** How a distribution's percentiles were computed, for results files. */
export type PercentileMethod = 'exact' | `ddsketch ±${number}%`;

export interface Summary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export class Distribution {
  private exact: Float64Array | null;
  private sketch: DDSketch | null = null;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;
  /** A run of equal values not yet given to the sketch (weight 0: none). */
  private runValue = NaN;
  private runWeight = 0;

  constructor(private readonly exactCap = 1 << 16) {
    this.exact = new Float64Array(Math.min(64, exactCap));
  }

  get count(): number {
    return this.n;
  }

  add(x: number): void {
    this.n++;
    this.sum += x;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    if (this.exact && this.n > this.exact.length) {
      if (this.n > this.exactCap) this.toSketch();
      else this.exact = growTo(this.exact, Math.min(2 * this.exact.length, this.exactCap));
    }
    if (this.exact) this.exact[this.n - 1] = x;
    else if (x === this.runValue) this.runWeight++;
    else {
      this.flushRun();
      this.runValue = x;
      this.runWeight = 1;
    }
  }

  mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }

  method(): PercentileMethod {
    return this.exact ? 'exact' : `ddsketch ±${SKETCH_RELATIVE_ACCURACY * 100}%`;
  }

  quantile(q: number): number {
    return this.quantiles([q])[0]!;
  }

  /** Several quantiles at once (sorting the exact values once). NaN when empty. */
  quantiles(qs: readonly number[]): number[] {
    if (this.n === 0) return qs.map(() => NaN);
    if (this.exact) {
      const sorted = this.exact.slice(0, this.n).sort();
      return qs.map((q) => interpolated(sorted, q));
    }
    this.flushRun();
    // A bin's representative value can lie just outside the data; the extremes are known.
    return qs.map((q) => Math.min(this.hi, Math.max(this.lo, this.sketch!.getValueAtQuantile(q))));
  }

  /** Mean and percentiles, each multiplied by `scale` (e.g. 1000 for milliseconds). */
  summary(scale = 1): Summary {
    const [p50, p90, p99] = this.quantiles([0.5, 0.9, 0.99]);
    return { mean: this.mean() * scale, p50: p50! * scale, p90: p90! * scale, p99: p99! * scale };
  }

  private flushRun(): void {
    if (this.runWeight > 0) this.sketch!.accept(this.runValue, this.runWeight);
    this.runWeight = 0;
  }

  private toSketch(): void {
    this.sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    for (const x of this.exact!) this.sketch.accept(x);
    this.exact = null;
  }
}

/** Quantile q of ascending `sorted` with linear interpolation between order statistics (numpy's default). */
export function interpolated(sorted: ArrayLike<number>, q: number): number {
  const rank = q * (sorted.length - 1);
  const i = Math.floor(rank);
  return i + 1 < sorted.length ? sorted[i]! + (rank - i) * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
}

function growTo(a: Float64Array, size: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}
