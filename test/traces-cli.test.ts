import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runTracesCli } from '../src/cli/traces.ts';
import { TRACE_CATALOG } from '../src/traces/catalog.ts';
import { testNeedingTraces } from './helpers/needs-traces.ts';

const SHARED = fileURLToPath(new URL('../../shared/traces/', import.meta.url));
const empty = mkdtempSync(join(tmpdir(), 'shiftlab-traces-cli-'));

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runTracesCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), progress: false });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

test('--help names the three commands; each command has its own accurate help', async () => {
  const h = await run('--help');
  assert.is(h.status, 0);
  for (const c of ['download', 'list', 'stats <trace>']) assert.ok(h.out.includes(`yarn traces ${c}`), h.out);
  const d = await run('download', '--help');
  for (const o of ['--to', '--mirror', '--only', '--force']) assert.ok(d.out.includes(o), d.out);
  assert.ok(d.out.includes('data/traces'));
  const s = await run('stats', '--help');
  for (const o of ['--traces', '--window-start', '--window-duration', '--time-scale', '--max-requests', '--spread-steps', '--zero-at', '--skip-bad-rows', '--json']) {
    assert.ok(s.out.includes(o), `${o} missing from stats --help`);
  }
});

testNeedingTraces(test, ['azure-code'], 'stats --json with the paper window gives 2,834 requests', async () => {
  const r = await run('stats', 'azure-code', '--traces', SHARED, '--window-start', '120', '--window-duration', '900', '--json');
  assert.is(r.status, 0, r.err);
  const s = JSON.parse(r.out) as { rows: number; arrivals: { span: number } };
  assert.is(s.rows, 2834);
  assert.ok(Math.abs(s.arrivals.span - 751.273226) < 1e-6);
}, [SHARED]);

const allTraces = TRACE_CATALOG.map((e) => e.name);
testNeedingTraces(test, allTraces, 'list shows where each trace is', async () => {
  const found = await run('list', '--traces', SHARED);
  assert.is(found.status, 0);
  assert.not.match(found.out, /MISSING/);
}, [SHARED]);

test('list shows MISSING with the command to get it', async () => {
  const missing = await run('list', '--traces', empty);
  const lines = missing.out.split('\n').filter((l) => l.includes('MISSING'));
  assert.is(lines.length, TRACE_CATALOG.length);
  assert.match(missing.out, /azure-code +timed +MISSING \(yarn traces download --only azure-code\)/);
});

test('errors: unknown command, missing trace, no command', async () => {
  const u = await run('fetch');
  assert.is(u.status, 2);
  assert.match(u.err, /Unknown argument: fetch/);
  const m = await run('stats', 'azure-code', '--traces', empty);
  assert.is(m.status, 1);
  assert.match(m.err, /TraceNotFoundError: trace 'azure-code' not found/);
  const n = await run();
  assert.is(n.status, 2);
  assert.match(n.err, /name a command/);
});

test.after(() => rmSync(empty, { recursive: true, force: true }));
test.run();
