import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRACE_CATALOG, traceEntry, upstreamUrl } from '../src/traces/catalog.ts';
import { candidateUrls } from '../src/traces/download.ts';
import { DEFAULT_DOWNLOAD_DIR, REPO_ROOT, findTrace, resolveTrace, tracesDirs } from '../src/traces/discover.ts';
import { TraceNotFoundError } from '../src/traces/errors.ts';
import { testNeedingTraces } from './helpers/needs-traces.ts';

const SHARED = fileURLToPath(new URL('../../shared/traces/', import.meta.url));
/** Tests that check ../shared/traces itself are skipped for the traces it lacks. */
const inShared = (traces: readonly string[], name: string, fn: () => void): void => testNeedingTraces(test, traces, name, fn, [SHARED]);
const tmp = mkdtempSync(join(tmpdir(), 'shiftlab-traces-discover-'));

test('default search order: data/traces, then ../shared/traces, relative to the repo root', () => {
  assert.equal(tracesDirs(), [join(REPO_ROOT, 'data', 'traces'), resolve(REPO_ROOT, '..', 'shared', 'traces')]);
  assert.is(DEFAULT_DOWNLOAD_DIR, join(REPO_ROOT, 'data', 'traces'));
  assert.equal(tracesDirs('some/dir'), [resolve('some/dir')]);
});

inShared(TRACE_CATALOG.map((e) => e.name), 'every catalog trace is found in ../shared/traces', () => {
  for (const e of TRACE_CATALOG) assert.is(findTrace(e, [SHARED]), join(SHARED, e.file), e.name);
});

inShared(['azure-code', 'mooncake-conversation'], 'the first directory holding a trace wins; a plain .jsonl stands in for .jsonl.gz', () => {
  const a = join(tmp, 'a');
  const b = join(tmp, 'b');
  const code = join(b, 'azure_llm_2023/AzureLLMInferenceTrace_code.csv');
  mkdirSync(dirname(code), { recursive: true });
  copyFileSync(join(SHARED, 'azure_llm_2023/AzureLLMInferenceTrace_code.csv'), code);
  assert.is(resolveTrace('azure-code', [a, b, SHARED]), code);
  const plain = join(a, 'mooncake_fast25/conversation_trace.jsonl');
  mkdirSync(dirname(plain), { recursive: true });
  writeFileSync(plain, '{"timestamp": 0, "input_length": 1, "output_length": 1}\n');
  assert.is(resolveTrace('mooncake-conversation', [a, SHARED]), plain);
  assert.is(resolveTrace('mooncake-conversation', [SHARED, a]), join(SHARED, 'mooncake_fast25/conversation_trace.jsonl.gz'));
});

inShared(['splitwise-code'], 'paths: as given, or relative to a traces dir', () => {
  const f = join(SHARED, 'vidur_processed_traces/splitwise_code.csv');
  assert.is(resolveTrace(f, []), f);
  assert.is(resolveTrace('vidur_processed_traces/splitwise_code.csv', [tmp, SHARED]), f);
});

test('a missing trace names the trace, every place looked and the download command', () => {
  const dirs = [join(tmp, 'x'), join(tmp, 'y')];
  try {
    resolveTrace('mooncake-conversation', dirs);
    assert.unreachable('found');
  } catch (e) {
    assert.instance(e, TraceNotFoundError);
    const m = (e as Error).message;
    assert.match(m, /trace 'mooncake-conversation' not found/);
    const looked = dirs.flatMap((d) => ['.jsonl.gz', '.jsonl'].map((x) => join(d, `mooncake_fast25/conversation_trace${x}`)));
    assert.ok(m.includes(`looked for ${looked.join(', ')}. `), m);
    assert.match(m, /yarn traces download --only mooncake-conversation/);
    assert.match(m, /npm run traces -- download --only mooncake-conversation/);
  }
  assert.throws(() => resolveTrace('azure-cod', [SHARED]), /neither a known name \(azure-code, .*\) nor a file/);
});

test('upstream addresses are pinned to the README commits; a mirror is tried compressed, then plain', () => {
  const code = traceEntry('azure-code');
  const moon = traceEntry('mooncake-conversation');
  if (code === undefined || moon === undefined) throw new Error('catalog entries missing');
  assert.equal(candidateUrls(code), [
    'https://raw.githubusercontent.com/Azure/AzurePublicDataset/790921015d50dd6aae7f7e47f39ba0e235ad6b08/data/AzureLLMInferenceTrace_code.csv',
  ]);
  assert.is(
    upstreamUrl(moon),
    'https://raw.githubusercontent.com/kvcache-ai/Mooncake/3cca71daccf2a7afb8fe3f0295358f70e3a69fdb/FAST25-release/traces/conversation_trace.jsonl',
  );
  assert.equal(candidateUrls(moon, 'http://m.example/t'), [
    'http://m.example/t/mooncake_fast25/conversation_trace.jsonl.gz',
    'http://m.example/t/mooncake_fast25/conversation_trace.jsonl',
  ]);
  assert.equal(candidateUrls(code, '/srv/traces'), ['/srv/traces/azure_llm_2023/AzureLLMInferenceTrace_code.csv']);
  assert.equal(new Set(TRACE_CATALOG.map((e) => e.name)).size, TRACE_CATALOG.length);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
