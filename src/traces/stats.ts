/**
 * Counters of one pass over a workload, filled in while the stream is consumed and complete once
 * it ends, so that an experiment can report, e.g., how many bad rows were skipped. Each new
 * iteration of the stream resets them.
 */
export interface LoadStats {
  /** Data lines read and parsed (good or bad); header and blank lines are not counted. */
  rowsRead: number;
  /** Rows skipped as bad (only with `skipBadRows`; otherwise the first bad row throws). */
  badRows: number;
  /** The messages of the first few bad rows (file:line: problem). */
  badRowSamples: string[];
  /** Requests yielded so far. */
  requests: number;
  /** True once the stream has ended: input exhausted, window end or request cap reached. */
  done: boolean;
}

/** How many bad-row messages `LoadStats.badRowSamples` keeps. */
export const BAD_ROW_SAMPLES = 10;

export function newLoadStats(): LoadStats {
  return { rowsRead: 0, badRows: 0, badRowSamples: [], requests: 0, done: false };
}

/** Resets counters in place (the caller holds a reference to the object). */
export function resetLoadStats(s: LoadStats): void {
  Object.assign(s, newLoadStats());
}
