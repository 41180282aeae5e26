import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { openTrace, openTraceFrom } from '../src/traces/load.ts';

/**
 * `yarn bench traces [--rows N] [--via-file]`: streams N (default 10 million) synthetic Azure-format
 * CSV rows through the Azure loader and reports rows/s and peak memory, to show that replay
 * memory does not grow with the trace. Rows are generated on the fly; --via-file first writes
 * them to a temporary file (deleted afterwards) and reads that, exercising the file path too.
 */
const { values } = parseArgs({
  options: { rows: { type: 'string', default: '10000000' }, 'via-file': { type: 'boolean', default: false } },
});
const rows = Number(values.rows);
if (!Number.isInteger(rows) || rows <= 0) throw new RangeError(`--rows must be a positive integer, got ${values.rows}`);

const CHUNK = 4096; // rows per generated string chunk
const START = Date.UTC(2023, 10, 16, 18, 0, 0) / 1000;

/** The CSV text in chunks: one request every 3.7 ms, lengths cycling deterministically. */
function* csvChunks(n: number): Generator<string> {
  yield 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
  let isoWhole = -1;
  let iso = '';
  for (let i = 0; i < n; i += CHUNK) {
    let s = '';
    for (let k = i; k < Math.min(n, i + CHUNK); k++) {
      const t = k * 37; // units of 0.1 ms
      const whole = START + Math.floor(t / 10000);
      if (whole !== isoWhole) {
        isoWhole = whole; // formatting a date is slow; it changes every ~270 rows
        iso = new Date(whole * 1000).toISOString().slice(0, 19).replace('T', ' ');
      }
      const frac = String((t % 10000) * 1000).padStart(7, '0');
      s += `${iso}.${frac},${100 + (k % 4000)},${1 + (k % 250)}\n`;
    }
    yield s;
  }
}

function expectedSums(n: number): { input: number; output: number } {
  let input = 0;
  let output = 0;
  for (let k = 0; k < n; k++) {
    input += 100 + (k % 4000);
    output += 1 + (k % 250);
  }
  return { input, output };
}

const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
let peakRss = process.memoryUsage.rss();
let peakHeap = process.memoryUsage().heapUsed;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};

let dir: string | undefined;
try {
  let handle;
  if (values['via-file']) {
    dir = mkdtempSync(join(tmpdir(), 'shiftlab-bench-traces-'));
    const file = join(dir, 'azure.csv');
    const w0 = performance.now();
    await pipeline(Readable.from(csvChunks(rows)), createWriteStream(file));
    console.log(`wrote ${rows.toLocaleString('en-US')} rows to ${file} in ${((performance.now() - w0) / 1000).toFixed(1)} s`);
    handle = openTrace(file);
  } else {
    handle = openTraceFrom({ label: 'generated Azure CSV', open: () => Readable.from(csvChunks(rows)) });
  }
  const t0 = performance.now();
  let input = 0;
  let output = 0;
  let last = 0;
  let ordered = true;
  for await (const r of handle.stream) {
    input += r.input;
    output += r.output;
    if (r.arrival < last) ordered = false;
    last = r.arrival;
    if ((r.id & 0xffff) === 0) sample();
  }
  sample();
  const seconds = (performance.now() - t0) / 1000;
  const want = expectedSums(rows);
  const ok = handle.stats.requests === rows && input === want.input && output === want.output && ordered;
  console.log(`rows        ${handle.stats.requests.toLocaleString('en-US')} (${handle.stats.badRows} bad)`);
  console.log(`time        ${seconds.toFixed(2)} s`);
  console.log(`rate        ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s`);
  console.log(`last        ${last.toFixed(4)} s (expected ${(((rows - 1) * 37) / 10000).toFixed(4)} s)`);
  console.log(`peak RSS    ${mib(peakRss)} sampled, ${mib(process.resourceUsage().maxRSS * 1024)} maxRSS (process lifetime)`);
  console.log(`peak heap   ${mib(peakHeap)} used (sampled every 65,536 rows)`);
  console.log(`check       ${ok ? 'ok' : 'MISMATCH'}: token sums and order ${ok ? 'match' : 'differ from'} the generator`);
  if (!ok) process.exitCode = 1;
} finally {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
