import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { thresholdPolicy } from '../src/policy/threshold.ts';
import { WORKLOAD, referenceRun, workerRun } from './helpers/executor.ts';

/**
 * Issue 2. Every strategy, world size and factorization against the single-device reference
 * (logits within 1e-4, tokens equal) runs in test/conformance.test.ts, over the registry; here
 * the workload that suite uses, and a policy-driven switch.
 */
const workload = suite('executor workload');

workload('the workload mixes prefill chunks and decodes in one iteration', async () => {
  const ref = await referenceRun();
  // Iteration 1 decodes sequences 0-2 and continues the prefill of sequence 3 (64 tokens, chunked).
  assert.ok(ref.scheduled.some((n, i) => i > 0 && n > WORKLOAD.promptLens.length), `scheduled per iteration: ${ref.scheduled.join(',')}`);
  assert.equal(ref.tokens.map((t) => t.length), [16, 16, 16, 16]);
});

workload.run();

const shift = suite('shift switching');

shift('threshold policy on a workload that crosses it: both modes run, tokens identical', async () => {
  const ref = await referenceRun();
  // Prefill iterations schedule up to 64 tokens (> 32: SP), decode-only ones 4 (<= 32: full TP).
  const run = await workerRun({ strategy: 'shift', world: 4, sp: 2, tp: 2, policy: thresholdPolicy(32) });
  run.modes.forEach((m, i) => assert.is(m, run.scheduled[i]! <= 32 ? 'tp' : 'sp', `iteration ${i}`));
  assert.ok(run.modes.includes('tp') && run.modes.includes('sp'));
  assert.equal(run.tokens, ref.tokens);
});

shift.run();
