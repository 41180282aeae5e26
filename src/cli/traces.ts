import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { TRACE_CATALOG } from '../traces/catalog.ts';
import { DEFAULT_DOWNLOAD_DIR, findTrace, resolveTrace, tracesDirs } from '../traces/discover.ts';
import { downloadTraces, type DownloadProgress } from '../traces/download.ts';
import type { TraceOptions } from '../traces/options.ts';
import { TRACE_FORMATS, type TraceFormat } from '../traces/rows.ts';
import { summarizeTrace, type Distribution, type TraceSummary } from '../traces/summary.ts';

/**
 * `yarn traces <download|list|stats>`: fetch the public traces, show where each is found, and
 * print a trace's statistics. `runTracesCli` returns the exit status so tests can run it in-process.
 */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Whether to draw byte-count progress (only on a terminal). */
  readonly progress: boolean;
}

const processIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  progress: process.stderr.isTTY === true,
};

export async function runTracesCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let status = 0;
  const cli = yargs([...argv])
    .scriptName('yarn traces')
    .usage('$0 <command> [options]\n\nFetch, list and inspect the request traces that drive the serving simulator.')
    .command(
      'download',
      'Fetch the public traces into data/traces (or --to), verifying their sha256',
      (y) =>
        y
          .option('to', { type: 'string', default: DEFAULT_DOWNLOAD_DIR, describe: 'Directory to fill (layout of ../shared/traces)' })
          .option('mirror', {
            type: 'string',
            describe: 'Fetch from a copy laid out like ../shared/traces (http(s)/file URL or directory) instead of GitHub',
          })
          .option('only', {
            type: 'string',
            describe: `Comma-separated trace names (default: all): ${TRACE_CATALOG.map((e) => e.name).join(',')}`,
          })
          .option('force', { type: 'boolean', default: false, describe: 'Fetch again even when a verified copy is present' }),
      async (a) => {
        status = await download(a.to, a.mirror, a.only, a.force, io);
      },
    )
    .command(
      'list',
      'List the known traces and where each was found (or that it is missing)',
      (y) => y.option('traces', tracesOption),
      (a) => list(a.traces, io),
    )
    .command(
      'stats <trace>',
      'Rows, span, rate, input/output mean/median/p99 and inter-arrival CV of a trace (name or path)',
      (y) =>
        y
          .positional('trace', { type: 'string', demandOption: true, describe: 'A trace name (see list) or a file path' })
          .option('traces', tracesOption)
          .option('window-start', { type: 'number', describe: 'Window start, seconds after the first row' })
          .option('window-duration', { type: 'number', describe: 'Window length in seconds (rows with start <= t < start + duration)' })
          .option('time-scale', { type: 'number', describe: 'Multiply inter-arrival times (0.5 = twice the rate)' })
          .option('max-requests', { type: 'number', describe: 'Keep at most this many requests' })
          .option('spread-steps', { type: 'number', describe: 'Spread equal timestamps evenly over this many seconds (Mooncake: 3)' })
          .option('zero-at', {
            choices: ['first', 'window'] as const,
            describe: 'Arrival 0 at the first request (default) or the window start',
          })
          .option('format', { choices: TRACE_FORMATS, describe: 'Force a format instead of detecting it' })
          .option('skip-bad-rows', { type: 'boolean', describe: 'Skip and count bad rows instead of failing' })
          .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
      async (a) => {
        const options: TraceOptions = {
          ...(a.windowStart !== undefined || a.windowDuration !== undefined
            ? {
                window: {
                  ...(a.windowStart === undefined ? {} : { start: a.windowStart }),
                  ...(a.windowDuration === undefined ? {} : { duration: a.windowDuration }),
                },
              }
            : {}),
          ...(a.timeScale === undefined ? {} : { timeScale: a.timeScale }),
          ...(a.maxRequests === undefined ? {} : { maxRequests: a.maxRequests }),
          ...(a.spreadSteps === undefined ? {} : { spreadSteps: a.spreadSteps }),
          ...(a.zeroAt === undefined ? {} : { zeroAt: a.zeroAt }),
          ...(a.format === undefined ? {} : { format: a.format as TraceFormat }),
          ...(a.skipBadRows === undefined ? {} : { skipBadRows: a.skipBadRows }),
        };
        const s = await summarizeTrace(resolveTrace(a.trace, tracesDirs(a.traces)), options);
        if (a.json) io.out(JSON.stringify(s, null, 2));
        else printSummary(s, io);
      },
    )
    .demandCommand(1, 'name a command: download, list or stats')
    .strict()
    .help()
    .version(false)
    .exitProcess(false);

  try {
    let output = '';
    // The callback form keeps yargs from printing or exiting by itself; help text comes back here.
    await cli.parseAsync([...argv], {}, (_err, _argv, text) => {
      output = text;
    });
    if (output !== '') {
      const failed = /^(Unknown|Not enough|Missing|Invalid|name a command)/m.test(output);
      (failed ? io.err : io.out)(output);
      return failed ? 2 : status;
    }
    return status;
  } catch (e) {
    io.err(`${(e as Error).name}: ${(e as Error).message}`);
    return 1;
  }
}

const tracesOption = {
  type: 'string',
  describe: 'Look for traces only in this directory (default: data/traces, then ../shared/traces)',
} as const;

async function download(to: string, mirror: string | undefined, only: string | undefined, force: boolean, io: CliIo): Promise<number> {
  const names = only?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const onProgress = (p: DownloadProgress): void => {
    const total = p.total === undefined ? '' : ` / ${p.total.toLocaleString('en-US')}`;
    process.stderr.write(`\r${p.name}: ${p.bytes.toLocaleString('en-US')}${total} bytes`);
  };
  const results = await downloadTraces({
    to,
    ...(mirror === undefined ? {} : { mirror }),
    ...(names === undefined ? {} : { only: names }),
    force,
    ...(io.progress ? { onProgress } : {}),
  });
  if (io.progress) process.stderr.write('\r\x1b[K');
  for (const r of results) {
    if (r.status === 'failed') io.err(`${r.name}: FAILED: ${r.error?.message}`);
    else io.out(`${r.name}: ${r.status === 'present' ? 'already present, sha256 ok' : `downloaded, sha256 ok (${r.url})`}: ${r.file}`);
  }
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

function list(dir: string | undefined, io: CliIo): void {
  const dirs = tracesDirs(dir);
  io.out(`searching: ${dirs.join(', ')}`);
  for (const e of TRACE_CATALOG) {
    const where = findTrace(e, dirs);
    io.out(`${e.name.padEnd(22)} ${e.kind.padEnd(7)} ${where ?? 'MISSING (yarn traces download --only ' + e.name + ')'}`);
    io.out(`${''.padEnd(22)} ${e.description}`);
  }
}

const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: digits });
const dist = (d: Distribution): string =>
  `mean ${fmt(d.mean)}  median ${fmt(d.median)}  p99 ${fmt(d.p99)}  min ${fmt(d.min)}  max ${fmt(d.max)}`;

function printSummary(s: TraceSummary, io: CliIo): void {
  io.out(`file      ${s.file} (${s.format})`);
  io.out(`rows      ${fmt(s.rows)}${s.badRows > 0 ? ` (${fmt(s.badRows)} bad rows skipped)` : ''}`);
  if (s.arrivals) {
    const a = s.arrivals;
    io.out(`span      ${fmt(a.span)} s (${fmt(a.span / 60)} min)`);
    io.out(`rate      ${fmt(a.rate, 3)} req/s`);
    const perMinute = `${fmt(a.cvPerMinute, 2)} (per-minute counts)   peak ${fmt(a.peakPerMinute)} req/min`;
    io.out(`CV        ${fmt(a.cv, 2)} (inter-arrival)   ${perMinute}`);
  } else {
    io.out('arrivals  none (a length distribution)');
  }
  io.out(`input     ${dist(s.input)}`);
  io.out(`output    ${dist(s.output)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runTracesCli(hideBin(process.argv));
}
