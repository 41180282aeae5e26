import { azureTimestampParser, secondsBetween, type AzureInstant } from './azure-time.ts';
import { tokenCount, type RowParser, type TraceFormat } from './rows.ts';

/** Column names of the CSV formats (Azure LLM 2023; Vidur's processed traces). */
export const AZURE_COLUMNS = { time: 'TIMESTAMP', input: 'ContextTokens', output: 'GeneratedTokens' } as const;
export const VIDUR_COLUMNS = { time: 'arrived_at', input: 'num_prefill_tokens', output: 'num_decode_tokens' } as const;

/** The header's column names, unquoted and trimmed. */
export function csvHeader(line: string): string[] {
  return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
}

/** The CSV format a header describes, or undefined when it is none of them. */
export function csvFormatOf(columns: readonly string[]): TraceFormat | undefined {
  const has = (c: string): boolean => columns.includes(c);
  if (has(AZURE_COLUMNS.time) && has(AZURE_COLUMNS.input) && has(AZURE_COLUMNS.output)) return 'azure';
  if (has(VIDUR_COLUMNS.input) && has(VIDUR_COLUMNS.output)) return has(VIDUR_COLUMNS.time) ? 'vidur' : 'lengths';
  return undefined;
}

/**
 * A parser for the data lines of a CSV file in the given format. Columns are found by name (in
 * any order; others are ignored). Times come out relative to the first row parsed. Returns a
 * string (the reason) instead when the header lacks a needed column.
 */
export function csvRowParser(format: 'azure' | 'vidur' | 'lengths', header: readonly string[]): RowParser | string {
  const names = format === 'azure' ? AZURE_COLUMNS : VIDUR_COLUMNS;
  const index = (c: string): number => header.indexOf(c);
  const need = format === 'lengths' ? [names.input, names.output] : [names.time, names.input, names.output];
  const missing = need.filter((c) => index(c) < 0);
  if (missing.length > 0) {
    return `header '${header.join(',')}' lacks column(s) ${missing.join(', ')} needed by the ${format} format`;
  }
  const iIn = index(names.input);
  const iOut = index(names.output);
  const iTime = format === 'lengths' ? -1 : index(names.time);
  const width = Math.max(iIn, iOut, iTime) + 1;
  const time = format === 'azure' ? azureClock() : format === 'vidur' ? secondsClock() : undefined;

  return (text) => {
    const f = text.split(',');
    if (f.length < width) {
      return `row has ${f.length} field(s), the header names ${header.length} (missing column ${header[f.length] ?? '?'})`;
    }
    const input = tokenCount(f[iIn], names.input);
    if (typeof input === 'string') return input;
    const output = tokenCount(f[iOut], names.output);
    if (typeof output === 'string') return output;
    if (time === undefined) return { input, output };
    const t = time(f[iTime] as string);
    return typeof t === 'string' ? t : { time: t, input, output };
  };
}

/** Azure timestamps → seconds since the first one, computed exactly (see azure-time.ts). */
function azureClock(): (field: string) => number | string {
  const parse = azureTimestampParser();
  let first: AzureInstant | undefined;
  return (field) => {
    const at = parse(field);
    if (typeof at === 'string') return `${AZURE_COLUMNS.time}: ${at}`;
    first ??= at;
    return secondsBetween(first, at);
  };
}

/** Vidur `arrived_at` seconds → seconds since the first row. */
function secondsClock(): (field: string) => number | string {
  let first: number | undefined;
  return (field) => {
    const t = field.trim() === '' ? NaN : Number(field);
    if (!Number.isFinite(t)) return `${VIDUR_COLUMNS.time} is ${JSON.stringify(field)}, expected seconds`;
    first ??= t;
    return t - first;
  };
}
