import type { TraceOptions } from './options.ts';
import type { TimedRow } from './parse.ts';
import { spreadSteps } from './spread.ts';
import type { LoadStats } from './stats.ts';
import type { TraceRequest } from './types.ts';

/**
 * Applies window, step spreading, re-zeroing, time scale and request cap to timed rows, in that
 * order, and numbers the requests. Reading stops at the first row past the window end (rows are
 * in time order) or at the cap, which closes the file.
 */
export async function* replayRows(
  rows: AsyncIterable<TimedRow>,
  options: TraceOptions,
  stats: LoadStats,
): AsyncGenerator<TraceRequest> {
  const start = options.window?.start ?? 0;
  const end = start + (options.window?.duration ?? Infinity);
  const scale = options.timeScale ?? 1;
  const cap = options.maxRequests ?? Infinity;
  let origin = options.zeroAt === 'window' ? start : undefined;
  const step = options.spreadSteps ?? 0;
  const timed: AsyncIterable<TimedRow & { at?: number }> = step > 0 ? spreadSteps(rows, step) : rows;
  let id = 0;
  if (cap > 0) {
    for await (const row of timed) {
      if (row.time < start) continue;
      if (row.time >= end) break;
      const at = row.at ?? row.time;
      origin ??= at;
      const arrival = (at - origin) * scale;
      const request: TraceRequest =
        row.hashIds === undefined
          ? { id, arrival, input: row.input, output: row.output }
          : { id, arrival, input: row.input, output: row.output, hashIds: row.hashIds };
      id++;
      stats.requests = id;
      yield request;
      if (id >= cap) break;
    }
  }
  stats.done = true;
}
