import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { invokedAs } from '../src/cli/invocation.ts';
import type { ResolvedWorkload } from '../src/exp/config/resolve-workload.ts';
import { workloadRequests } from '../src/exp/estimate.ts';
import { expInProcess } from './helpers/exp-cli.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

function exp(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/exp.ts', ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cli = suite('yarn exp (the command line)');

cli('a config with a typo in a key exits non-zero naming the key path', () => {
  const r = exp('test/fixtures/exp/typo.yaml');
  assert.is(r.code, 2);
  assert.match(r.stderr, /typo\.yaml:6:5: systems\[1\]\.polcy: unknown key; did you mean 'policy'\?/);
  assert.is(r.stdout, '');
});

cli('a run prints the summary table and writes the results directory', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'exp-cli-')), 'run');
  const r = exp('test/fixtures/exp/user-policy.yaml', '--out', out, '--jobs', '1');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /user-policy: 1 point\(s\) × 1 system\(s\)/);
  assert.match(r.stdout, /queue-aware\s+\d/);
  for (const f of ['results.json', 'requests.csv', 'summary.md', 'index.html', 'config.yaml']) assert.ok(existsSync(join(out, f)), f);
});

cli('--help describes the options and subcommands', () => {
  const r = exp('--help');
  assert.is(r.code, 0);
  for (const s of ['--resume', '--shard', '--jobs', '--out', '--traces', '--dry-run', '--yes', 'merge', '<dirs..>', 'keys', 'Exit codes']) assert.ok(r.stdout.includes(s), `--help lacks ${s}`);
});

cli('a bad argument prints the error and where to look, not the whole help', () => {
  for (const jobs of ['0', 'abc']) {
    const r = exp('test/fixtures/exp/tiny.yaml', '--jobs', jobs);
    assert.is(r.code, 2);
    assert.match(r.stderr, /^error: --jobs must be a positive integer, got (0|not a number)\n\(.+ --help lists the commands and options\)\n$/);
  }
});

cli('hints name the command the user ran: npm run exp --, yarn exp, or the node command line', () => {
  const npm = { npm_lifecycle_event: 'exp', npm_config_user_agent: 'npm/10.8.2 node/v20.19.0 linux x64 workspaces/false' };
  assert.is(invokedAs('exp', npm), 'npm run exp --');
  assert.is(invokedAs('exp', { ...npm, npm_config_user_agent: 'yarn/1.22.22 npm/? node/v20.19.0 linux x64' }), 'yarn exp');
  assert.is(invokedAs('exp', { ...npm, npm_config_user_agent: 'pnpm/9.1.0 npm/? node/v20.19.0 linux x64' }), 'pnpm exp');
  assert.is(invokedAs('exp', {}, ['node', join(process.cwd(), 'src/cli/exp.ts')], ['--import', 'tsx']), 'node --import tsx src/cli/exp.ts');
  // End to end: the program run as npm runs it names npm in its hint.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/exp.ts', 'x.yaml', '--jobs', '0'], { cwd: repo, encoding: 'utf8', env: { ...process.env, ...npm } });
  assert.match(r.stderr, '(npm run exp -- --help lists the commands and options)');
  assert.not.match(r.stderr, /yarn exp/);
});

const size = suite('yarn exp: the size of a run, before it starts');
const tmp = mkdtempSync(join(tmpdir(), 'exp-size-'));
const HUGE = join(tmp, 'huge.yaml');
writeFileSync(HUGE, 'model: llama-3.1-8b\nsystems: [{ name: TP, strategy: tp, world: 2 }]\nworkloads:\n  - { name: huge, synthetic: { arrivals: { kind: poisson, rate: 10 }, lengths: { kind: fixed, input: 100, output: 8 }, count: 1000000000 } }\n');
const aborted = (): AbortSignal => {
  const c = new AbortController();
  c.abort();
  return c.signal;
};

size('every run prints its units, requests and estimated time first', async () => {
  const r = await expInProcess(['test/fixtures/exp/tiny.yaml', '--dry-run', '--jobs', '2']);
  assert.is(r.code, 0, r.stderr);
  // tiny.yaml: 3 points × 3 systems; 12 + 12 + 3 requests per system.
  assert.match(r.stderr, 'tiny: plan: 9 unit(s) (3 point(s) × 3 system(s)), 81 requests to simulate; estimated ~');
  assert.match(r.stderr, 'dry run: the config is valid; nothing was run or written');
  assert.is(r.stdout.split('\n').length, 3, 'one plan line per point');
});

size('requests of a synthetic workload: count, rate × duration, bursts, whichever stops first', () => {
  const w = (synthetic: object): ResolvedWorkload => ({ name: 'w', template: 0, spec: { synthetic, seed: 1 } as ResolvedWorkload['spec'] });
  const fixed = { kind: 'fixed', input: 1, output: 1 };
  // configs/README.md's example workload: Poisson at 8 req/s for 120 s → 960 expected requests.
  assert.is(workloadRequests(w({ arrivals: { kind: 'poisson', rate: 8 }, lengths: fixed, duration: 120 })), 960);
  assert.is(workloadRequests(w({ arrivals: { kind: 'poisson', rate: 8 }, lengths: fixed, duration: 120, count: 100 })), 100);
  assert.is(workloadRequests(w({ arrivals: { kind: 'saturate' }, lengths: fixed, count: 7 })), 7);
  // Bursts of 20 at t = 0, 30, 60 (the last past a 50 s duration), over a 0.5 req/s base: 40 + 25.
  assert.is(workloadRequests(w({ arrivals: { kind: 'bursts', baseRate: 0.5, bursts: { count: 3, size: 20, first: 0, period: 30 } }, lengths: fixed, duration: 50 })), 65);
});

size('a huge run in a terminal asks first; declined, nothing is written', async () => {
  const out = join(tmp, 'declined');
  // Ctrl-C already pressed as well: should it start anyway, it stops at once instead of running 10⁹ requests.
  const r = await expInProcess([HUGE, '--out', out], { interactive: true, answer: false, signal: aborted() });
  assert.is(r.code, 1);
  assert.match(r.stderr, '1.00 billion requests to simulate; estimated ~');
  assert.match(r.stderr, /days on 1 worker/);
  assert.equal(r.asked, ['This is a large run. Start it? [y/N] (--yes skips this question) ']);
  assert.match(r.stderr, 'not started');
  assert.not.ok(existsSync(out));
});

size('--yes skips the question; a run that is not interactive never blocks, and says so', async () => {
  // Started with Ctrl-C already pressed, so that it stops before simulating 10⁹ requests.
  const yes = await expInProcess([HUGE, '--out', join(tmp, 'yes'), '--yes'], { interactive: true, signal: aborted() });
  assert.equal(yes.asked, []);
  assert.is(yes.code, 130);
  const batch = await expInProcess([HUGE, '--out', join(tmp, 'batch')], { interactive: false, signal: aborted() });
  assert.equal(batch.asked, []);
  assert.match(batch.stderr, 'note: a large run; starting without asking, as stdin is not a terminal');
  assert.match(batch.stderr, `continue with: yarn exp ${HUGE} --resume ${join(tmp, 'batch')}`);
});

cli.run();
size.run();
