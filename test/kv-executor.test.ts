import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generate } from '../src/exec/generate.ts';
import { createReferenceExecutor } from '../src/exec/reference-executor.ts';
import type { Executor, StepResult } from '../src/exec/types.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { KvLayoutError, KvMovedError } from '../src/kv/index.ts';
import type { SeqWork } from '../src/model/batch.ts';
import { verifyShiftDeployment } from '../src/strategies/deployment.ts';
import { alternatePolicy } from '../src/policy/alternate.ts';

/**
 * Issue 3 in a running Shift executor on tiny, the mode alternating every iteration: a wrongly
 * ordered shift model (P = 4, s = t = 2) is refused at the switch before any token, and the
 * debug KV check passes across correct switches and catches live KV that changes.
 */
const base = { model: 'tiny', strategy: 'shift', world: 4, sp: 2, tp: 2, seed: 1, kvBlocks: 16, blockSize: 16, policy: alternatePolicy() } as const;

/** Records every step that ran and what it returned. */
function recording(exec: Executor): { exec: Executor; ran: StepResult[] } {
  const ran: StepResult[] = [];
  return {
    ran,
    exec: {
      ...exec,
      step: async (batch) => {
        const r = await exec.step(batch);
        ran.push(r);
        return r;
      },
    },
  };
}

test('naive full-TP order: the switch to TP is refused before any token is produced', async () => {
  const exec = await createWorkerExecutor({ ...base, order: 'naive' });
  try {
    // The ranks' own report, not the formula with the right order, is what gets checked.
    const [sp, tp] = exec.modes;
    assert.equal([sp!.id, tp!.id], ['sp', 'tp']);
    assert.equal(exec.kvLayout(tp!).map((h) => [...h.kvHeads]), [[0], [0], [1], [1]]);
    assert.equal(exec.kvLayout(sp!).map((h) => [...h.kvHeads]), [[0], [1], [0], [1]]);
    const { exec: watched, ran } = recording(exec);
    // A 40-token prompt under a 16-token budget: iteration 0 (SP) is a prefill chunk that samples nothing.
    const run = generate(watched, { promptLens: [40], maxNewTokens: 4, seed: 1, vocab: 512, maxBatchedTokens: 16, blockSize: 16, kvBlocks: 16 });
    const error = await run.then(() => null, (e: unknown) => e as Error);
    assert.instance(error, KvLayoutError);
    assert.match(error!.message, 'refusing to switch from SP=2×TP=2 to TP=4 in naive order [0,1,2,3] before it runs');
    assert.match(error!.message, 'rank 1 holds KV head 1 (copy 0 of 2) of every sequence in SP=2×TP=2 (as its weights were sharded)');
    assert.equal(ran.map((r) => r.mode.id), ['sp']);
    assert.is(ran[0]!.logits.size, 0, 'a token was produced before the refusal');
    // The formula-based verdict on the same deployment agrees.
    assert.is(verifyShiftDeployment('tiny', 4, 2, 2, 'naive').verdict, 'moves');
  } finally {
    await exec.close();
  }
});

test('debug KV check: correct switches pass and tokens equal the reference; a block given twice is caught', async () => {
  const workload = { promptLens: [5, 17, 33], maxNewTokens: 4, seed: 1, vocab: 512, maxBatchedTokens: 32, blockSize: 16, kvBlocks: 16 };
  const ref = await generate(createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: 16, blockSize: 16 }), workload);
  // Two ranks (s = 2, t = 1) keep the test fast; the check itself does not depend on P.
  const exec = await createWorkerExecutor({ ...base, world: 2, sp: 2, tp: 1, checkKvOnSwitch: true });
  try {
    const run = await generate(exec, workload);
    assert.equal(run.tokens, ref.tokens);
    assert.ok(run.modes.includes('tp') && run.modes.includes('sp'), run.modes.join(' '));

    // Sequence 100 prefills 20 tokens into blocks [10, 11]; the next iteration (the other mode)
    // decodes it and wrongly gives block 11 to sequence 101, whose prompt overwrites positions 16..19.
    const seq = (id: number, start: number, tokens: number[], blockTable: number[]): SeqWork => ({ id, replica: 0, tokens, start, blockTable, sample: true, decode: start > 0 });
    await exec.step({ seqs: [seq(100, 0, Array.from({ length: 20 }, (_, k) => k + 1), [10, 11])] });
    const error = await exec.step({ seqs: [seq(100, 20, [3], [10, 11]), seq(101, 0, [9, 8, 7, 6], [11])] }).then(() => null, (e: unknown) => e as Error);
    assert.instance(error, KvMovedError);
    assert.match(error!.message, /KV moved across the switch from (SP=2×TP=1 to TP=2|TP=2 to SP=2×TP=1): rank 0, K cache of layer 0, block 11 offset 0 \(slot 176\), KV head 0 changed/);
    assert.match(error!.message, 'it holds position 16 of sequence 100, context this iteration reads, yet position 0 of sequence 101 was written there');
  } finally {
    await exec.close();
  }
});

test.run();
