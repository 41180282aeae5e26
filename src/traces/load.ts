import { resolveTrace } from './discover.ts';
import { TraceOptionsError } from './errors.ts';
import { validateTraceOptions, type TraceOptions } from './options.ts';
import { detectFormat, noTimestamps, parseRows, type ParseOptions, type TimedRow } from './parse.ts';
import { replayRows } from './replay.ts';
import { fileSource, sniffFirstLine, type TraceSource } from './source.ts';
import { newLoadStats, resetLoadStats, type LoadStats } from './stats.ts';
import type { RequestStream } from './types.ts';

/** A stream and the counters it fills in while being consumed (complete once it ends). */
export interface StreamHandle {
  readonly stream: RequestStream;
  readonly stats: Readonly<LoadStats>;
}

/**
 * Opens a trace file as a request stream plus its load counters. `pathOrName` is a path or a
 * catalog name (`azure-code`, ...; looked up in the default traces dirs, see `tracesDirs`). The
 * format is detected from the first line (or forced with `options.format`); a missing file, a bad
 * option, an unknown header or a length-only file throws here, bad rows throw (or are counted)
 * while iterating. The stream re-reads the file on each iteration, so it can be replayed; each
 * iteration resets `stats`.
 */
export function openTrace(pathOrName: string, options: TraceOptions = {}): StreamHandle {
  validateTraceOptions(options);
  const path = resolveTrace(pathOrName);
  const source = fileSource(path);
  const first = sniffFirstLine(path);
  if (first !== '' && detectFormat(path, first, options.format) === 'lengths') throw noTimestamps(path);
  return openTraceFrom(source, options);
}

/**
 * The stream of `openTrace`, for callers that need no counters. The format comes from the file's
 * first line (or `options.format`); see TraceOptions for window, scale, cap and skipping.
 */
export function loadTrace(path: string, options: TraceOptions = {}): RequestStream {
  return openTrace(path, options).stream;
}

/** Like `openTrace`, over any source of trace text (a generated stream, say); checks happen lazily. */
export function openTraceFrom(source: TraceSource, options: TraceOptions = {}): StreamHandle {
  validateTraceOptions(options);
  const stats = newLoadStats();
  const stream: RequestStream = {
    [Symbol.asyncIterator]: () => {
      resetLoadStats(stats);
      const rows = parseRows(source, options, stats, true) as AsyncGenerator<TimedRow>;
      return replayRows(rows, options, stats);
    },
  };
  return { stream, stats };
}

/** Input/output token pairs of a file, held in memory, for sampling request lengths. */
export interface LengthTable {
  readonly source: string;
  readonly input: Int32Array;
  readonly output: Int32Array;
}

/**
 * Reads the input/output pairs of any trace format (length-only CSVs, or the lengths of a timed
 * trace), streamed and stored compactly (8 bytes a row). `path` may be a catalog name. At most
 * `maxRows` rows are read.
 */
export async function loadLengths(
  path: string,
  options: ParseOptions & { readonly maxRows?: number } = {},
): Promise<LengthTable> {
  const source = fileSource(resolveTrace(path));
  const max = options.maxRows ?? Infinity;
  let input = new Int32Array(1024);
  let output = new Int32Array(1024);
  let n = 0;
  for await (const row of parseRows(source, options, newLoadStats(), false)) {
    if (n === input.length) {
      input = grow(input);
      output = grow(output);
    }
    input[n] = row.input;
    output[n] = row.output;
    if (++n >= max) break;
  }
  if (n === 0) throw new TraceOptionsError(`${path} holds no rows to take request lengths from`);
  return { source: path, input: input.slice(0, n), output: output.slice(0, n) };
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
