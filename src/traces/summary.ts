import { resolveTrace } from './discover.ts';
import { openTrace } from './load.ts';
import type { TraceOptions } from './options.ts';
import { detectFormat, parseRows } from './parse.ts';
import type { TraceFormat } from './rows.ts';
import { fileSource, sniffFirstLine } from './source.ts';
import { newLoadStats } from './stats.ts';

/** Mean, median and p99 (linear interpolation between order statistics, numpy's default). */
export interface Distribution {
  readonly mean: number;
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** The statistics of ../shared/traces/README.md's table, computed the same way. */
export interface TraceSummary {
  readonly file: string;
  readonly format: TraceFormat;
  readonly rows: number;
  readonly badRows: number;
  readonly input: Distribution;
  readonly output: Distribution;
  /** Absent for length-only files. */
  readonly arrivals?: ArrivalSummary;
}

export interface ArrivalSummary {
  /** t_last − t_first, seconds. */
  readonly span: number;
  /** rows / span, requests per second. */
  readonly rate: number;
  /** Coefficient of variation (population std / mean) of the inter-arrival gaps. */
  readonly cv: number;
  /** CV of the request counts in whole 1-minute bins from t_first (the last partial minute dropped). */
  readonly cvPerMinute: number;
  /** Most requests in one of those bins. */
  readonly peakPerMinute: number;
}

/** Growable column of numbers (8 bytes a row), for the sorts the quantiles need. */
class Column {
  private data = new Float64Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = x;
  }
  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

/** Linear-interpolated quantile of sorted values (numpy's default 'linear' method). */
export function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] as number;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return a + (h - lo) * (b - a);
}

function meanStd(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += ((xs[i] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(v / xs.length) };
}

export function distribution(values: Float64Array): Distribution {
  const sorted = Float64Array.from(values).sort();
  return {
    mean: meanStd(sorted).mean,
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

/** Arrival statistics of times in order (seconds). */
export function arrivalSummary(times: Float64Array): ArrivalSummary {
  const n = times.length;
  const t0 = times[0] ?? 0;
  const span = (times[n - 1] ?? 0) - t0;
  const gaps = new Float64Array(Math.max(n - 1, 0));
  for (let i = 1; i < n; i++) gaps[i - 1] = (times[i] as number) - (times[i - 1] as number);
  const g = meanStd(gaps);
  const bins = new Float64Array(Math.floor(span / 60));
  for (const t of times) {
    const b = Math.floor((t - t0) / 60);
    if (b < bins.length) bins[b] = (bins[b] as number) + 1;
  }
  const m = meanStd(bins);
  const peak = bins.reduce((a, b) => Math.max(a, b), 0);
  return { span, rate: n / span, cv: g.std / g.mean, cvPerMinute: m.std / m.mean, peakPerMinute: peak };
}

/**
 * Statistics of a trace (catalog name or path). Timed traces go through the loader, so `options`
 * (window, time scale, cap, step spreading) apply; length-only files give lengths only. Holds
 * three numbers per row in memory (the quantiles need a sort).
 */
export async function summarizeTrace(nameOrPath: string, options: TraceOptions = {}): Promise<TraceSummary> {
  const file = resolveTrace(nameOrPath);
  const first = sniffFirstLine(file);
  const format = detectFormat(file, first, options.format);
  const times = new Column();
  const input = new Column();
  const output = new Column();
  let badRows: number;
  if (format === 'lengths') {
    const stats = newLoadStats();
    for await (const r of parseRows(fileSource(file), options, stats, false)) {
      input.push(r.input);
      output.push(r.output);
    }
    badRows = stats.badRows;
  } else {
    const { stream, stats } = openTrace(file, options);
    for await (const r of stream) {
      times.push(r.arrival);
      input.push(r.input);
      output.push(r.output);
    }
    badRows = stats.badRows;
  }
  const base = {
    file,
    format,
    rows: input.length,
    badRows,
    input: distribution(input.values()),
    output: distribution(output.values()),
  };
  return format === 'lengths' || times.length < 2 ? base : { ...base, arrivals: arrivalSummary(times.values()) };
}
