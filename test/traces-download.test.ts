import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runTracesCli } from '../src/cli/traces.ts';
import { traceEntry } from '../src/traces/catalog.ts';
import { contentSha256, downloadTraces } from '../src/traces/download.ts';
import { ChecksumMismatchError, TraceDownloadError } from '../src/traces/errors.ts';
import { openTrace } from '../src/traces/load.ts';
import { testNeedingTraces } from './helpers/needs-traces.ts';

/**
 * `download` against a mirror on 127.0.0.1 (an ephemeral port, closed after the tests) serving
 * ../shared/traces. No other network access.
 */
const SHARED = fileURLToPath(new URL('../../shared/traces/', import.meta.url));
/** A test whose downloads the mirror serves is skipped for the traces ../shared/traces lacks. */
const fromShared = (traces: readonly string[], name: string, fn: () => Promise<void>): void => testNeedingTraces(test, traces, name, fn, [SHARED]);
const tmp = mkdtempSync(join(tmpdir(), 'shiftlab-traces-download-'));

/** What the mirror does; tests switch it. */
const mirror = { corrupt: new Set<string>(), plainMooncake: false, requests: [] as string[] };

const server: Server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
  mirror.requests.push(path);
  const gz = `${path}.gz`;
  if (mirror.plainMooncake && path.startsWith('mooncake_fast25/')) {
    // Serve the uncompressed JSONL at x.jsonl and nothing at x.jsonl.gz.
    if (path.endsWith('.gz') || !existsSync(join(SHARED, gz))) return void res.writeHead(404).end();
    return void res.writeHead(200).end(gunzipSync(readFileSync(join(SHARED, gz))));
  }
  const file = join(SHARED, path);
  if (path.includes('..') || !existsSync(file)) return void res.writeHead(404).end();
  if (mirror.corrupt.has(path)) {
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0x01; // one flipped bit in the middle
    return void res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  }
  res.writeHead(200);
  createReadStream(file).pipe(res);
});

const url = async (): Promise<string> => {
  if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
};

const noTemps = (dir: string): void => {
  const all = readdirSync(dir, { recursive: true }).map(String);
  assert.equal(all.filter((f) => f.includes('.part-')), [], `temporary files left in ${dir}`);
};

fromShared(['azure-code', 'mooncake-conversation'], 'success: files land in the layout of ../shared/traces, sums verified; a second run keeps them', async () => {
  const to = join(tmp, 'ok');
  const results = await downloadTraces({ to, mirror: await url(), only: ['azure-code', 'mooncake-conversation'] });
  assert.equal(results.map((r) => [r.name, r.status]), [['azure-code', 'downloaded'], ['mooncake-conversation', 'downloaded']]);
  for (const f of ['azure_llm_2023/AzureLLMInferenceTrace_code.csv', 'mooncake_fast25/conversation_trace.jsonl.gz']) {
    assert.ok(readFileSync(join(to, f)).equals(readFileSync(join(SHARED, f))), `${f} differs from the mirror`);
  }
  noTemps(to);
  const again = await downloadTraces({ to, mirror: await url(), only: ['azure-code'] });
  assert.is(again[0]?.status, 'present');
});

fromShared(['mooncake-conversation'], 'a mirror with plain JSONL: stored gzip-compressed, sum of the uncompressed content verified', async () => {
  const to = join(tmp, 'plain');
  mirror.plainMooncake = true;
  mirror.requests = [];
  try {
    const [r] = await downloadTraces({ to, mirror: await url(), only: ['mooncake-conversation'] });
    assert.is(r?.status, 'downloaded', r?.error?.message);
    assert.equal(mirror.requests, ['mooncake_fast25/conversation_trace.jsonl.gz', 'mooncake_fast25/conversation_trace.jsonl']);
    const file = join(to, 'mooncake_fast25/conversation_trace.jsonl.gz');
    assert.is(readFileSync(file).readUInt16BE(0), 0x1f8b);
    assert.is(await contentSha256(file), traceEntry('mooncake-conversation')?.sha256);
    let n = 0;
    for await (const _ of openTrace(file, { dropHashIds: true }).stream) n++;
    assert.is(n, 12031);
  } finally {
    mirror.plainMooncake = false;
  }
});

fromShared(['azure-code', 'azure-conv'], 'corrupted bytes: checksum error naming file and sums, nothing left behind, others still fetched', async () => {
  const to = join(tmp, 'bad');
  mirror.corrupt.add('azure_llm_2023/AzureLLMInferenceTrace_code.csv');
  try {
    const results = await downloadTraces({ to, mirror: await url(), only: ['azure-code', 'azure-conv'] });
    const [code, conv] = results;
    assert.is(code?.status, 'failed');
    assert.instance(code?.error, ChecksumMismatchError);
    const e = code?.error as ChecksumMismatchError;
    const target = join(to, 'azure_llm_2023/AzureLLMInferenceTrace_code.csv');
    assert.is(e.file, target);
    assert.is(e.expected, '54e9a6d2a4bd06ba1e060304b900abbc74cbea53de96506e60fe5bb4f2277fb6');
    assert.match(e.actual, /^[0-9a-f]{64}$/);
    assert.is.not(e.actual, e.expected);
    assert.ok(e.message.includes(target) && e.message.includes(e.expected) && e.message.includes(e.actual));
    assert.not.ok(existsSync(target));
    noTemps(to);
    assert.is(conv?.status, 'downloaded');
    // The command line reports the failure in its exit status.
    const err: string[] = [];
    const status = await runTracesCli(['download', '--to', to, '--mirror', await url(), '--only', 'azure-code'], {
      out: () => {},
      err: (l) => err.push(l),
      progress: false,
    });
    assert.is(status, 1);
    assert.match(err.join('\n'), /azure-code: FAILED: .*sha256 mismatch/);
    assert.not.ok(existsSync(target));
  } finally {
    mirror.corrupt.clear();
  }
});

test('not on the mirror, or an unknown name: clear errors', async () => {
  const to = join(tmp, 'none');
  const [r] = await downloadTraces({ to, mirror: `${await url()}nowhere/`, only: ['azure-conv'] });
  assert.instance(r?.error, TraceDownloadError);
  assert.match(r?.error?.message ?? '', /not found at http:\/\/127\.0\.0\.1:\d+\/nowhere\/azure_llm_2023\/AzureLLMInferenceTrace_conv\.csv/);
  await downloadTraces({ to, only: ['azure-codes'] }).then(
    () => assert.unreachable('accepted an unknown name'),
    (e: Error) => assert.match(e.message, /unknown trace 'azure-codes'; known: azure-code, azure-conv/),
  );
});

fromShared(['bwb-lengths', 'splitwise-code'], 'the CLI downloads from a mirror directory too', async () => {
  const to = join(tmp, 'cli');
  const out: string[] = [];
  const status = await runTracesCli(['download', '--to', to, '--mirror', SHARED, '--only', 'bwb-lengths,splitwise-code'], {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    progress: false,
  });
  assert.is(status, 0, out.join('\n'));
  assert.match(out.join('\n'), /bwb-lengths: downloaded, sha256 ok/);
  assert.ok(existsSync(join(to, 'vidur_processed_traces/splitwise_code.csv')));
});

test.after(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  rmSync(tmp, { recursive: true, force: true });
});

test.run();
