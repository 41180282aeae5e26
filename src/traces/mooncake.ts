import { tokenCount, type RowParser } from './rows.ts';

/**
 * Mooncake (FAST'25) JSON Lines: `timestamp` (ms), `input_length`, `output_length`, `hash_ids`
 * (prefix-block hashes, 512 tokens per block). Times come out in seconds since the first row.
 * With `dropHashIds` the ids are neither checked nor kept (the paper replays without prefix reuse).
 */
export function mooncakeRowParser(dropHashIds: boolean): RowParser {
  let firstMs: number | undefined;
  return (text) => {
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (e) {
      return `not a JSON object (${(e as Error).message})`;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'not a JSON object';
    const r = row as Record<string, unknown>;
    for (const key of ['timestamp', 'input_length', 'output_length']) {
      if (!(key in r)) return `missing key '${key}'`;
    }
    const ms = r['timestamp'];
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      return `timestamp is ${JSON.stringify(ms)}, expected milliseconds (a number)`;
    }
    const input = tokenCount(r['input_length'], 'input_length');
    if (typeof input === 'string') return input;
    const output = tokenCount(r['output_length'], 'output_length');
    if (typeof output === 'string') return output;
    firstMs ??= ms;
    const time = (ms - firstMs) / 1000;
    if (dropHashIds || r['hash_ids'] === undefined) return { time, input, output };
    const ids = r['hash_ids'];
    if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x))) return 'hash_ids is not a list of integers';
    return { time, input, output, hashIds: ids as number[] };
  };
}
