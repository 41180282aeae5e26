/**
 * The capacity of one candidate: the highest arrival rate meeting the SLO, by bisection on a
 * log scale between `min` and `max`, assuming the SLO holds below a rate whenever it holds at
 * it (latency grows with load). It stops when the bracket [pass, fail] has
 * fail ≤ pass · (1 + tolerance), so the true capacity lies in [capacity, capacity · (1 + tolerance)).
 * Probes: min, then max (when min passes), then ⌈log2(ln(max/min) / ln(1 + tolerance))⌉ midpoints.
 */
export interface Bracket {
  /** Highest passing rate; 0 when min fails. */
  readonly capacity: number;
  /** Lowest failing rate; null when max passes. */
  readonly failsAt: number | null;
  readonly probes: number;
}

export async function bisectCapacity(min: number, max: number, tolerance: number, meets: (rate: number) => Promise<boolean>): Promise<Bracket> {
  if (!(min > 0 && max > min && tolerance > 0)) throw new RangeError(`bisection needs 0 < min < max and tolerance > 0, got min ${min}, max ${max}, tolerance ${tolerance}`);
  if (!(await meets(min))) return { capacity: 0, failsAt: min, probes: 1 };
  if (await meets(max)) return { capacity: max, failsAt: null, probes: 2 };
  let [lo, hi, probes] = [min, max, 2];
  while (hi > lo * (1 + tolerance)) {
    const mid = Math.sqrt(lo * hi);
    probes++;
    if (await meets(mid)) lo = mid;
    else hi = mid;
  }
  return { capacity: lo, failsAt: hi, probes };
}

/** How many probes a candidate whose capacity lies strictly inside (min, max) takes. */
export function expectedProbes(min: number, max: number, tolerance: number): number {
  return 2 + Math.max(0, Math.ceil(Math.log2(Math.log(max / min) / Math.log(1 + tolerance))));
}
