import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestRow } from '../sim/index.ts';
import type { TraceRequest } from '../traces/index.ts';
import { AtomicFileWriter } from './atomic-writer.ts';

/**
 * units/<unit>.requests.csv: one row per request of a unit, written while the unit runs (a
 * request's row as it finishes, a rejected request's at its arrival), so no run holds its
 * requests in memory. Rows are in that order (finish order), not by id. The report's
 * requests.csv is these files with the point and system columns put in front.
 *
 *   request, arrival_s, input_tokens, output_tokens, replica, ttft_ms, tpot_ms, e2e_ms,
 *   preemptions, finished (1/0)
 * Empty cells for values a request has not got (rejected; TPOT of a 1-token request).
 * Numbers keep 9 significant digits.
 */
export const REQUEST_COLUMNS = ['request', 'arrival_s', 'input_tokens', 'output_tokens', 'replica', 'ttft_ms', 'tpot_ms', 'e2e_ms', 'preemptions', 'finished'] as const;

export function requestFile(unitsDir: string, unit: string): string {
  return join(unitsDir, `${unit}.requests.csv`);
}

/** One CSV cell: integers as they are, other numbers to 9 significant digits, text quoted when needed. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)));
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const ms = (s: number): number | null => (Number.isFinite(s) ? s * 1000 : null);

export class RequestFileWriter {
  private readonly out: AtomicFileWriter;
  rows = 0;

  constructor(path: string) {
    this.out = new AtomicFileWriter(path);
    this.out.write(`${REQUEST_COLUMNS.join(',')}\n`);
  }

  finished(r: RequestRow): void {
    this.line([r.id, r.arrival, r.input, r.output, r.replica, ms(r.ttft), ms(r.tpot), ms(r.e2e), r.preemptions, 1]);
  }

  rejected(q: TraceRequest): void {
    this.line([q.id, q.arrival, q.input, q.output, null, null, null, null, null, 0]);
  }

  commit(): void {
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }

  private line(cells: readonly unknown[]): void {
    this.out.write(`${cells.map(csvCell).join(',')}\n`);
    this.rows++;
  }
}

/**
 * Calls `onLine` with every line of a text file (without its newline), reading 1 MiB at a
 * time: memory stays bounded whatever the file's size.
 */
export function forEachLine(path: string, onLine: (line: string) => void): void {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  let rest = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      // Decode up to the chunk's last newline only, so that no UTF-8 character is cut in two.
      const last = chunk.lastIndexOf(10, n - 1);
      if (last < 0) {
        rest = Buffer.concat([rest, chunk.subarray(0, n)]);
        continue;
      }
      const text = Buffer.concat([rest, chunk.subarray(0, last)]).toString('utf8');
      rest = Buffer.from(chunk.subarray(last + 1, n));
      for (const l of text.split('\n')) onLine(l);
    }
    if (rest.length > 0) onLine(rest.toString('utf8'));
  } finally {
    closeSync(fd);
  }
}
