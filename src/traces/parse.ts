import { csvFormatOf, csvHeader, csvRowParser } from './csv.ts';
import { NoTimestampsError, TraceFormatError } from './errors.ts';
import { mooncakeRowParser } from './mooncake.ts';
import type { ParsedRow, RowParser, TraceFormat } from './rows.ts';
import { readLines, type TraceSource } from './source.ts';
import { BAD_ROW_SAMPLES, type LoadStats } from './stats.ts';

export interface ParseOptions {
  /** Force a format instead of detecting it from the first line. */
  readonly format?: TraceFormat;
  /** Mooncake: drop `hash_ids` (no prefix reuse). */
  readonly dropHashIds?: boolean;
  /** Skip and count bad rows instead of throwing on the first one. */
  readonly skipBadRows?: boolean;
}

/** A parsed row with the 1-based line it came from. */
export interface LineRow extends ParsedRow {
  readonly line: number;
}

/** A row with a time, as a timed trace yields it. */
export interface TimedRow extends LineRow {
  readonly time: number;
}

const FORMAT_HELP =
  'expected a CSV header with TIMESTAMP,ContextTokens,GeneratedTokens (azure), ' +
  'arrived_at,num_prefill_tokens,num_decode_tokens (vidur) or num_prefill_tokens,num_decode_tokens (lengths), ' +
  'or one JSON object per line (mooncake); pass format to force one';

/** The format of a file judged from its first line (or the forced one, checked against it). */
export function detectFormat(label: string, firstLine: string, forced?: TraceFormat): TraceFormat {
  const looksJson = firstLine.trimStart().startsWith('{');
  if (forced === 'mooncake' || (forced === undefined && looksJson)) return 'mooncake';
  if (looksJson) throw new TraceFormatError(label, 1, `format '${forced}' is a CSV format but the file holds JSON lines`);
  const columns = csvHeader(firstLine);
  const found = csvFormatOf(columns);
  if (forced === undefined) {
    if (found === undefined) throw new TraceFormatError(label, 1, `unknown header '${firstLine}': ${FORMAT_HELP}`);
    return found;
  }
  const parser = csvRowParser(forced, columns);
  if (typeof parser === 'string') throw new TraceFormatError(label, 1, parser);
  return forced;
}

/** The error for a length-only file opened as a timed trace, saying how to use it instead. */
export function noTimestamps(label: string): NoTimestampsError {
  return new NoTimestampsError(
    `${label} has no timestamps (columns num_prefill_tokens,num_decode_tokens,...): it is a length ` +
      `distribution, not a timed trace. Use it as a length source with synthetic arrivals, e.g. the ` +
      `workload spec { synthetic: { arrivals: { kind: poisson, rate: 2 }, ` +
      `lengths: { kind: file, file: <name or path> }, count: 1000 }, seed: 1 } ` +
      `or loadLengths(path) in code`,
  );
}

/**
 * The data rows of a source, streamed. `timed` requires a time on every row, rejects length-only
 * files, and treats a row earlier than the previous good row as bad. Bad rows throw a
 * TraceFormatError naming file and line, or with `skipBadRows` are counted in `stats`.
 */
export async function* parseRows(
  source: TraceSource,
  options: ParseOptions,
  stats: LoadStats,
  timed: boolean,
): AsyncGenerator<LineRow> {
  let parse: RowParser | undefined;
  let lastTime = -Infinity; // of the last good row
  let lastLine = 0;
  const bad = (line: number, problem: string): void => {
    if (!options.skipBadRows) {
      throw new TraceFormatError(source.label, line, problem, true);
    }
    stats.badRows++;
    if (stats.badRowSamples.length < BAD_ROW_SAMPLES) stats.badRowSamples.push(`${source.label}:${line}: ${problem}`);
  };

  let line = 0;
  for await (const text of readLines(source)) {
    line++;
    if (parse === undefined) {
      const format = detectFormat(source.label, text, options.format);
      if (timed && format === 'lengths') throw noTimestamps(source.label);
      if (format === 'mooncake') {
        parse = mooncakeRowParser(options.dropHashIds ?? false);
      } else {
        parse = csvRowParser(format, csvHeader(text)) as RowParser; // checked by detectFormat
        continue; // the header line is not data
      }
    }
    if (text.trim() === '') continue;
    stats.rowsRead++;
    const row = parse(text);
    if (typeof row === 'string') {
      bad(line, row);
      continue;
    }
    if (timed) {
      if (row.time === undefined) {
        bad(line, 'row has no timestamp');
        continue;
      }
      if (row.time < lastTime) {
        bad(line, `timestamp goes backwards: ${row.time} s after the first row, but line ${lastLine} was at ${lastTime} s`);
        continue;
      }
      lastTime = row.time;
      lastLine = line;
    }
    yield withLine(row, line);
  }
}

function withLine(row: ParsedRow, line: number): LineRow {
  const { time, input, output, hashIds } = row;
  if (time === undefined) return hashIds === undefined ? { line, input, output } : { line, input, output, hashIds };
  return hashIds === undefined ? { line, time, input, output } : { line, time, input, output, hashIds };
}
