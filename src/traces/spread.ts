import type { TimedRow } from './parse.ts';

/** A timed row with its replay time, which differs from the trace time when steps are spread. */
export interface SpreadRow extends TimedRow {
  /** Seconds since the trace's first row, after spreading. */
  readonly at: number;
}

/**
 * Spreads each group of rows with equal timestamps evenly over `step` seconds (shortened to the
 * gap to the next distinct timestamp), keeping order. Memory is one group (Mooncake: ~9 rows).
 * `step` must be > 0.
 */
export async function* spreadSteps(rows: AsyncIterable<TimedRow>, step: number): AsyncGenerator<SpreadRow> {
  let group: TimedRow[] = [];
  const flush = function* (next: number): Generator<SpreadRow> {
    const t = (group[0] as TimedRow).time;
    const width = Math.min(step, next - t);
    for (let k = 0; k < group.length; k++) yield { ...(group[k] as TimedRow), at: t + (k * width) / group.length };
    group = [];
  };
  for await (const row of rows) {
    if (group.length > 0 && row.time !== (group[0] as TimedRow).time) yield* flush(row.time);
    group.push(row);
  }
  if (group.length > 0) yield* flush(Infinity);
}
