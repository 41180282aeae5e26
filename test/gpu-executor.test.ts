import * as assert from 'uvu/assert';
import type { BackendName } from '../src/exec/backends.ts';
import { alternatePolicy } from '../src/policy/alternate.ts';
import type { StrategyName } from '../src/strategies/types.ts';
import { referenceRun, relativeError, workerRun, worstLogitError } from './helpers/executor.ts';
import { gpuSuite } from './helpers/gpu.ts';

/**
 * The executors on the cuda backend (worker threads sharing the GPU, collectives device to
 * device) against the single-device reference, on the issue-2 workload (tiny; prompts 5, 17,
 * 33, 64; 16 new tokens; seed 1; 64-token budget; blocks of 16, 64 blocks). Float32: tokens
 * identical and logits within 1e-4, as the CPU backend must. Shift alternates modes, so KV
 * written in one mode is read in the other.
 */
const executors = gpuSuite('executors on the cuda backend');

type Case = { strategy: StrategyName; world: number; sp?: number; tp?: number };
const CASES: readonly Case[] = [
  { strategy: 'tp', world: 2 },
  { strategy: 'tp', world: 4 },
  { strategy: 'sp', world: 2, sp: 2, tp: 1 },
  { strategy: 'sp', world: 4, sp: 2, tp: 2 },
  { strategy: 'shift', world: 4, sp: 2, tp: 2 },
  { strategy: 'shift', world: 2, sp: 2, tp: 1 },
];

for (const c of CASES) {
  const label = `${c.strategy} P=${c.world}${c.sp ? ` s=${c.sp} t=${c.tp}` : ''}`;
  executors(`cuda float32 ${label}: tokens identical, logits within 1e-4`, async () => {
    const ref = await referenceRun();
    const backend: BackendName = 'cuda';
    const run = await workerRun({ ...c, backend, ...(c.strategy === 'shift' ? { policy: alternatePolicy() } : {}) });
    const worst = worstLogitError(run, ref);
    assert.ok(worst.error <= 1e-4, `${label}: relative error ${worst.error} at ${worst.where}`);
    assert.equal(run.tokens, ref.tokens, `${label}: generated tokens differ from the reference`);
    if (c.strategy === 'shift') assert.ok(run.modes.includes('tp') && run.modes.includes('sp'));
  });
}

// bf16 rounds every matrix to 8 mantissa bits: later tokens may differ (and then so do the
// logits), so only the first iteration's logits are compared.
executors('cuda-bf16 shift P=4 s=2 t=2: first-iteration logits within 5e-2 of the reference', async () => {
  const ref = await referenceRun();
  const run = await workerRun({ strategy: 'shift', world: 4, sp: 2, tp: 2, backend: 'cuda-bf16', policy: alternatePolicy() });
  assert.ok(ref.logits[0]!.size > 0);
  ref.logits[0]!.forEach((expected, id) => {
    const got = run.logits[0]!.get(id);
    assert.ok(got && !got.some(Number.isNaN), `sequence ${id}: no logits or NaN`);
    const error = relativeError(got, expected);
    assert.ok(error <= 5e-2, `sequence ${id}: relative error ${error}`);
  });
});

executors.run();
