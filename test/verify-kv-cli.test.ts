import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { allModels } from '../src/model/catalog.ts';

/** Issue 3: the `yarn verify-kv` contract: tables, verdicts, exit status, bad arguments. */
function verifyKv(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/verify-kv.ts', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a valid Shift deployment prints the per-rank table and invariant, exit 0', () => {
  const r = verifyKv('--model', 'llama-3.3-70b', '--world', '8', '--sp', '4', '--tp', '2');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, 'b: TP=8 in full-tp order [0,2,4,6,1,3,5,7]');
  const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s/.test(l));
  assert.is(rows.length, 8);
  assert.ok(rows.every((l) => / yes /.test(l)), r.stdout);
  assert.match(r.stdout, /\ninvariant: every rank keeps its KV heads/);
});

test('the naive order prints the counterexample, exit 1; --json carries it', () => {
  const r = verifyKv('--model', 'tiny', '--world', '4', '--sp', '2', '--tp', '2', '--order', 'naive');
  assert.is(r.status, 1);
  assert.match(r.stdout, 'NOT invariant: KV head 0 of every sequence is stored on ranks [0, 2] in SP=2×TP=2 but on ranks [0, 1] in TP=4 in naive order [0,1,2,3]');
  const j = verifyKv('--model', 'tiny', '--world', '4', '--sp', '2', '--tp', '2', '--order', 'naive', '--json');
  assert.is(j.status, 1);
  const v = JSON.parse(j.stdout);
  assert.equal([v.verdict, v.counterexample.kvHead, v.counterexample.rank], ['moves', 0, 1]);
});

test('--strategy dp compares DP with TP: not invariant; s·t ≠ P is refused; both exit 1', () => {
  const dp = verifyKv('--model', 'qwen3-32b', '--world', '8', '--strategy', 'dp', '--tp', '2');
  assert.is(dp.status, 1);
  assert.match(dp.stdout, 'a: DP=4×TP=2');
  assert.match(dp.stdout, 'per-request layout');
  const bad = verifyKv('--model', 'tiny', '--world', '8', '--sp', '2', '--tp', '2');
  assert.is(bad.status, 1);
  assert.match(bad.stdout, 'refused: SP 2 × TP 2 = 4 does not equal the world size 8');
});

test('--all: every model × P in {2, 4, 8, 16} × split, one line each, exit 0', () => {
  const r = verifyKv('--all');
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^model\s+P\s+split\s+verdict\s+reason$/);
  assert.is(lines.length, 1 + allModels().length * (2 + 3 + 4 + 5));
  assert.ok(lines.some((l) => /^tiny\s+16\s+SP=4×TP=4\s+refused\s+tiny: 8 query heads are not divisible by 16/.test(l)));
  assert.ok(lines.slice(1).every((l) => /^\S+\s+\d+\s+SP=\d+×TP=\d+\s+(invariant|refused)\s/.test(l)));
  const naive = verifyKv('--all', '--order', 'naive', '--json');
  assert.is(naive.status, 1);
  assert.ok(JSON.parse(naive.stdout).some((row: { verdict: string }) => row.verdict === 'moves'));
});

test('bad arguments exit 2 with a message', () => {
  const cases: [string[], RegExp][] = [
    [['--model', 'llama-9000', '--world', '8', '--sp', '4', '--tp', '2'], /unknown model 'llama-9000'; known models: llama-3.3-70b/],
    [['--model', 'tiny', '--sp', '2', '--tp', '2'], /--world is required/],
    [['--model', 'tiny', '--world', '4', '--sp', '2'], /--tp is required/],
    [['--model', 'tiny', '--world', '4', '--sp', 'two', '--tp', '2'], /--sp must be a positive integer, got NaN/],
    [['--all', '--model', 'tiny'], /--all covers every model, world size and split; drop --model/],
  ];
  for (const [args, message] of cases) {
    const r = verifyKv(...args);
    assert.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = verifyKv('--help');
  assert.is(help.status, 0);
  for (const option of ['--model', '--world', '--sp', '--tp', '--order', '--strategy', '--all', '--json', 'Exit status']) assert.match(help.stdout, option);
});

test.run();
