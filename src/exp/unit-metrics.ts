import { Distribution, type RequestRow, type Summary, interpolated } from '../sim/index.ts';
import { REQUEST_COLUMNS, forEachLine } from './request-file.ts';
import type { LatencyCdfs } from './unit.ts';

/**
 * Per-request latency distributions of a unit, fed row by row as requests finish, for the CDF
 * plots: exact while small, a DDSketch beyond (see Distribution), so memory stays bounded.
 */
export class CdfCollector {
  private readonly ttft = new Distribution();
  private readonly tpot = new Distribution();

  add(r: RequestRow): void {
    this.ttft.add(r.ttft * 1000);
    if (Number.isFinite(r.tpot)) this.tpot.add(r.tpot * 1000);
  }

  /** `n` + 1 evenly spaced quantiles of each (fewer when fewer requests; none when n is 0), milliseconds. */
  cdfs(n: number): LatencyCdfs {
    return { ttft_ms: cdfValues(this.ttft, n), tpot_ms: cdfValues(this.tpot, n) };
  }
}

function cdfValues(d: Distribution, n: number): number[] {
  const k = Math.min(n, d.count);
  return k === 0 ? [] : d.quantiles(Array.from({ length: k + 1 }, (_, i) => i / k));
}

export type Percentiles = Pick<Summary, 'p50' | 'p90' | 'p99'>;

/** Exact percentiles (NaN where no row has the value) and CDFs of a unit, read back from its request file. */
export interface ExactLatencies {
  readonly ttft_ms: Percentiles;
  readonly tpot_ms: Percentiles;
  readonly e2e_ms: Percentiles;
  readonly cdf: LatencyCdfs;
}

/**
 * `report: { percentiles: exact }`: TTFT, TPOT and E2E percentiles (and the CDFs) from every
 * row of a unit's request file, sorted, instead of the sketch. Costs 24 bytes per request for
 * the three columns while the unit's summary is made (48 MB at 2 M requests). The values are
 * those of the file (9 significant digits); means stay the simulator's (exact sums).
 */
export function exactLatencies(file: string, rows: number, cdfPoints: number): ExactLatencies {
  const col = (name: string): number => REQUEST_COLUMNS.indexOf(name as (typeof REQUEST_COLUMNS)[number]);
  const cols = [col('ttft_ms'), col('tpot_ms'), col('e2e_ms')];
  const values = cols.map(() => new Float64Array(rows));
  const counts = cols.map(() => 0);
  let header = true;
  forEachLine(file, (line) => {
    if (header || line === '') {
      header = false;
      return;
    }
    const cells = line.split(',');
    cols.forEach((c, k) => {
      if (cells[c] !== '') values[k]![counts[k]!++] = Number(cells[c]);
    });
  });
  const [ttft, tpot, e2e] = values.map((v, k) => v.subarray(0, counts[k]).sort()) as [Float64Array, Float64Array, Float64Array];
  const cdf = (s: Float64Array): number[] => {
    const k = Math.min(cdfPoints, s.length);
    return k === 0 ? [] : Array.from({ length: k + 1 }, (_, i) => interpolated(s, i / k));
  };
  return { ttft_ms: percentiles(ttft), tpot_ms: percentiles(tpot), e2e_ms: percentiles(e2e), cdf: { ttft_ms: cdf(ttft), tpot_ms: cdf(tpot) } };
}

function percentiles(sorted: Float64Array): Percentiles {
  if (sorted.length === 0) return { p50: NaN, p90: NaN, p99: NaN };
  return { p50: interpolated(sorted, 0.5), p90: interpolated(sorted, 0.9), p99: interpolated(sorted, 0.99) };
}
