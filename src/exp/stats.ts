/** Quantile q of ascending `sorted` with linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Most intervals [start, end) open at once; an interval ending exactly when another starts does not overlap it. */
export function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const events = intervals.flatMap(([s, e]) => [[s, 1] as const, [e, -1] as const]);
  // Ends before starts at equal times.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of events) {
    open += d;
    most = Math.max(most, open);
  }
  return most;
}

/** Evenly spaced quantiles of the non-null values (for drawing a CDF with few points). */
export function cdfPoints(values: readonly (number | null)[], n: number): { value: number; fraction: number }[] {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return [];
  const k = Math.min(n, xs.length);
  return Array.from({ length: k + 1 }, (_, i) => ({ value: quantile(xs, i / k), fraction: i / k }));
}
