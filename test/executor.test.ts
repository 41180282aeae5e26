import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { factorizations } from '../src/parallel/mode.ts';
import { alternatePolicy } from '../src/policy/alternate.ts';
import { thresholdPolicy } from '../src/policy/threshold.ts';
import type { StrategyName } from '../src/strategies/types.ts';
import { WORKLOAD, referenceRun, workerRun, worstLogitError } from './helpers/executor.ts';

/**
 * Issue 2, items 1–3: every strategy, world size and factorization computes what one device
 * computes — logits of every (mixed prefill/decode) iteration within 1e-4, greedy tokens equal.
 */
const conformance = suite('executor conformance on tiny');

conformance('the workload mixes prefill chunks and decodes in one iteration', async () => {
  const ref = await referenceRun();
  // Iteration 1 decodes sequences 0-2 and continues the prefill of sequence 3 (64 tokens, chunked).
  assert.ok(ref.scheduled.some((n, i) => i > 0 && n > WORKLOAD.promptLens.length), `scheduled per iteration: ${ref.scheduled.join(',')}`);
  assert.equal(ref.tokens.map((t) => t.length), [16, 16, 16, 16]);
});

type Case = { strategy: StrategyName; world: number; sp?: number; tp?: number };
const cases: Case[] = [];
for (const world of [1, 2, 4, 8]) {
  cases.push({ strategy: 'tp', world }, { strategy: 'dp', world });
  for (const { sp, tp } of factorizations(world)) cases.push({ strategy: 'sp', world, sp, tp }, { strategy: 'shift', world, sp, tp });
}

for (const c of cases) {
  const label = `${c.strategy} P=${c.world}${c.sp ? ` s=${c.sp} t=${c.tp}` : ''}`;
  conformance(`${label}: logits within 1e-4 and tokens identical`, async () => {
    const ref = await referenceRun();
    // Shift alternates modes every iteration here: KV written in one mode is read in the other.
    const run = await workerRun({ ...c, ...(c.strategy === 'shift' ? { policy: alternatePolicy() } : {}) });
    const worst = worstLogitError(run, ref);
    assert.ok(worst.error <= 1e-4, `${label}: relative error ${worst.error} at ${worst.where}`);
    assert.equal(run.tokens, ref.tokens, `${label}: generated tokens differ from the reference`);
    if (c.strategy === 'shift' && c.world > 1) assert.ok(run.modes.includes('tp') && run.modes.includes('sp'));
  });
}

conformance.run();

const shift = suite('shift switching');

shift('threshold policy on a workload that crosses it: both modes run, tokens identical', async () => {
  const ref = await referenceRun();
  // Prefill iterations schedule up to 64 tokens (> 32: SP), decode-only ones 4 (<= 32: full TP).
  const run = await workerRun({ strategy: 'shift', world: 4, sp: 2, tp: 2, policy: thresholdPolicy(32) });
  run.modes.forEach((m, i) => assert.is(m, run.scheduled[i]! <= 32 ? 'tp' : 'sp', `iteration ${i}`));
  assert.ok(run.modes.includes('tp') && run.modes.includes('sp'));
  assert.equal(run.tokens, ref.tokens);
});

shift('alternating with KV-head replication (8 ranks, 2 KV heads, s=2 t=4)', async () => {
  const ref = await referenceRun();
  const run = await workerRun({ strategy: 'shift', world: 8, sp: 2, tp: 4, policy: alternatePolicy() });
  assert.equal(run.tokens, ref.tokens);
});

shift.run();
