import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

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
  for (const s of ['--resume', '--shard', '--jobs', '--out', '--traces', 'merge <dirs..>', 'keys']) assert.ok(r.stdout.includes(s), `--help lacks ${s}`);
});

cli.run();
