/**
 * A distribution of positive values in bounded memory: exact values while there are at most
 * `exactCap`, then a log-spaced histogram with bins 0.1% wide, so a
 * 10M-request replay aggregates per-token latencies in fixed memory (a histogram quantile is
 * within 0.05% of the order statistic at its rank). Quantiles of exact values
 * interpolate linearly between order statistics (numpy's default, as vLLM's benchmark reports).
 */
const LO = 1e-7; //             smallest value resolved (s); smaller ones land in bin 0
const RATIO = 1.001;
const LOG_RATIO = Math.log(RATIO);
const BINS = Math.ceil(Math.log(1e7 / LO) / LOG_RATIO) + 1; // up to 1e7 s

export interface Summary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export class Distribution {
  private exact: Float64Array | null = new Float64Array(64);
  private hist: Float64Array | null = null;
  private n = 0;
  private sum = 0;
  private lo = Infinity;
  private hi = -Infinity;

  constructor(private readonly exactCap = 1 << 16) {}

  get count(): number {
    return this.n;
  }

  add(x: number): void {
    this.sum += x;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
    if (this.exact) {
      if (this.n === this.exact.length) {
        if (this.n >= this.exactCap) this.toHistogram();
        else this.exact = growTo(this.exact, Math.min(2 * this.n, this.exactCap));
      }
      if (this.exact) {
        this.exact[this.n++] = x;
        return;
      }
    }
    this.bin(x);
    this.n++;
  }

  mean(): number {
    return this.n === 0 ? NaN : this.sum / this.n;
  }

  quantile(q: number): number {
    if (this.n === 0) return NaN;
    if (this.exact) return this.exactQuantiles([q])[0]!;
    const rank = q * (this.n - 1);
    let seen = 0;
    const h = this.hist!;
    for (let b = 0; b < h.length; b++) {
      seen += h[b]!;
      if (seen > rank) return Math.min(this.hi, Math.max(this.lo, LO * Math.pow(RATIO, b + 0.5)));
    }
    return this.hi;
  }

  /** Mean and percentiles, each multiplied by `scale` (e.g. 1000 for milliseconds). */
  summary(scale = 1): Summary {
    const qs = [0.5, 0.9, 0.99];
    const [p50, p90, p99] = this.n > 0 && this.exact ? this.exactQuantiles(qs) : qs.map((q) => this.quantile(q));
    return { mean: this.mean() * scale, p50: p50! * scale, p90: p90! * scale, p99: p99! * scale };
  }

  private exactQuantiles(qs: readonly number[]): number[] {
    const sorted = this.exact!.slice(0, this.n).sort();
    return qs.map((q) => {
      const rank = q * (this.n - 1);
      const i = Math.floor(rank);
      const w = rank - i;
      return i + 1 < this.n ? sorted[i]! + w * (sorted[i + 1]! - sorted[i]!) : sorted[i]!;
    });
  }

  private toHistogram(): void {
    this.hist = new Float64Array(BINS);
    for (let k = 0; k < this.n; k++) this.bin(this.exact![k]!);
    this.exact = null;
  }

  private bin(x: number): void {
    const b = x <= LO ? 0 : Math.min(BINS - 1, Math.floor(Math.log(x / LO) / LOG_RATIO));
    this.hist![b]! += 1;
  }
}

function growTo(a: Float64Array, size: number): Float64Array {
  const b = new Float64Array(size);
  b.set(a);
  return b;
}
