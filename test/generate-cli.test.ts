import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tinyHfModel, writeCheckpoint } from './helpers/hf-checkpoint.ts';

/** Issue 2, item 6: the `yarn generate` contract that later checks and notebooks rely on. */
function generateCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const common = ['--model', 'tiny', '--prompt-lens', '5,17,33,64', '--max-new-tokens', '16', '--seed', '1', '--json'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/generate.ts', ...common, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('generate --json prints tokens and modes; shift matches single', () => {
  const single = generateCli('--strategy', 'single');
  const shift = generateCli('--strategy', 'shift', '--world', '2', '--sp', '2', '--tp', '1', '--policy', 'alternate');
  assert.is(single.status, 0, single.stderr);
  assert.is(shift.status, 0, shift.stderr);
  const [a, b] = [JSON.parse(single.stdout), JSON.parse(shift.stdout)];
  assert.is(a.tokens.length, 4);
  assert.ok(a.tokens.every((t: number[]) => t.length === 16));
  assert.equal(b.tokens, a.tokens);
  assert.equal([...new Set(b.modes)].sort(), ['sp', 'tp']);
  assert.is(b.modes.length, b.scheduled.length);
});

test('an invalid parallel config exits non-zero naming the numbers', () => {
  const r = generateCli('--strategy', 'sp', '--world', '8', '--sp', '3', '--tp', '2');
  assert.is.not(r.status, 0);
  assert.is(r.stdout, '');
  assert.match(r.stderr, 'SP 3 × TP 2 = 6 does not equal the world size 8');
});

test('an unknown policy exits non-zero listing the known ones', () => {
  const r = generateCli('--strategy', 'shift', '--world', '2', '--policy', 'fastest');
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /unknown policy 'fastest'.*threshold/);
});

test('generate --checkpoint DIR runs a Hugging Face checkpoint; shift over 2 ranks matches single', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'shiftlab-generate-'));
  try {
    const dir = path.join(root, 'tiny-llama3');
    const spec = { family: 'llama', layers: 2, hidden: 64, heads: 4, kvHeads: 2, mlp: 128, vocab: 320, ropeTheta: 500000, rmsEps: 1e-5, tied: true, dtype: 'BF16', seed: 7 } as const;
    writeCheckpoint(dir, tinyHfModel({ ...spec, llama3Scaling: { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 } }), 'BF16', 2);
    const args = ['--checkpoint', dir];
    const single = generateCli(...args, '--strategy', 'single');
    const shift = generateCli(...args, '--strategy', 'shift', '--world', '2', '--sp', '2', '--tp', '1', '--policy', 'alternate');
    assert.is(single.status, 0, single.stderr);
    assert.is(shift.status, 0, shift.stderr);
    const [a, b] = [JSON.parse(single.stdout), JSON.parse(shift.stdout)];
    assert.is(a.model, 'tiny-llama3');
    assert.ok(a.tokens.flat().every((t: number) => t >= 0 && t < 320), 'token ids within the checkpoint vocabulary');
    assert.equal(b.tokens, a.tokens);
    const missing = generateCli('--checkpoint', path.join(root, 'nowhere'), '--strategy', 'single');
    assert.is(missing.status, 2);
    assert.match(missing.stderr, `${path.join(root, 'nowhere', 'config.json')} does not exist`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
