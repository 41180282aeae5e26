import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { BatchRecord } from '../src/engine/batch-record.ts';
import { type GenerateOptions, type GenerateResult, generate } from '../src/exec/generate.ts';
import { createReferenceExecutor } from '../src/exec/reference-executor.ts';
import type { Executor } from '../src/exec/types.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { createPolicy } from '../src/policy/registry.ts';
import { thresholdPolicy } from '../src/policy/threshold.ts';
import type { SwitchPolicy } from '../src/policy/types.ts';
import { type SystemSpec, fromArray, simulate } from '../src/sim/index.ts';

/**
 * Issue 13: the executor (real tokens on the tiny model) and the simulator (counts and a cost
 * model) drive one scheduler, block pool and mode chooser, so the same workload gives the same
 * batches in both: per iteration the sequence ids, their chunk sizes, decode or not, and the mode.
 */

const BLOCK = 16;

interface Workload {
  readonly prompts: readonly number[];
  readonly outputs: readonly number[];
  readonly budget: number;
  readonly kvBlocks: number;
}

function genOptions(w: Workload): GenerateOptions {
  return { promptLens: w.prompts, outputLens: w.outputs, maxNewTokens: 1, seed: 3, vocab: 512, maxBatchedTokens: w.budget, blockSize: BLOCK, kvBlocks: w.kvBlocks };
}

async function runExec(exec: Executor, w: Workload): Promise<GenerateResult> {
  try {
    return await generate(exec, genOptions(w));
  } finally {
    await exec.close();
  }
}

/** The simulator's batches for `w`: every request arrives at t = 0, in order. */
async function runSim(spec: Pick<SystemSpec, 'strategy' | 'world' | 'sp' | 'tp'>, w: Workload, policy?: SwitchPolicy): Promise<{ batches: BatchRecord[]; preemptions: number }> {
  const batches: BatchRecord[] = [];
  const reqs = w.prompts.map((input, id) => ({ id, arrival: 0, input, output: w.outputs[id]! }));
  const r = await simulate(
    {
      name: 'x', ...spec, model: 'tiny', hardware: 'h200', ...(policy ? { policy } : {}),
      // cuda_graphs off: the executor's cost oracle prices unpadded batches too.
      engine: { max_num_batched_tokens: w.budget, block_size: BLOCK, num_gpu_blocks_override: w.kvBlocks, cuda_graphs: false },
    },
    fromArray(reqs),
    { onBatch: (_, b) => batches.push(b) },
  );
  assert.is(r.requests.finished, reqs.length);
  return { batches, preemptions: r.preemptions };
}

const MIXED: Workload = { prompts: [5, 40, 17, 33], outputs: [6, 3, 9, 4], budget: 24, kvBlocks: 64 };
// 3 blocks each at most (≤ 48 positions), 6 blocks in all: the scheduler must preempt.
const TIGHT: Workload = { prompts: [20, 30, 12], outputs: [20, 12, 25], budget: 32, kvBlocks: 6 };

const same = suite('executor and simulator: same batches');

same('one mode, chunked prefill mixed with decodes: reference executor vs simulator', async () => {
  const exec = await runExec(createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: MIXED.kvBlocks, blockSize: BLOCK }), MIXED);
  const sim = await runSim({ strategy: 'tp', world: 1 }, MIXED);
  assert.ok(exec.batches.some((b) => b.counts.some((c) => c > 1)) && exec.batches.some((b) => b.decodes.includes(true)));
  assert.equal(exec.batches, sim.batches);
});

same('tiny KV: both preempt the same requests at the same iterations; recompute keeps the tokens', async () => {
  const exec = await runExec(createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: TIGHT.kvBlocks, blockSize: BLOCK }), TIGHT);
  const sim = await runSim({ strategy: 'tp', world: 1 }, TIGHT);
  assert.ok(exec.preemptions > 0, 'the workload was meant to preempt');
  assert.is(exec.preemptions, sim.preemptions);
  assert.equal(exec.batches, sim.batches);
  // Recompute is exact: the same tokens as with room for everything.
  const roomy = await runExec(createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: 64, blockSize: BLOCK }), { ...TIGHT, kvBlocks: 64 });
  assert.equal(exec.tokens, roomy.tokens);
  assert.equal(exec.tokens.map((t) => t.length), TIGHT.outputs);
});

same('Shift with a switching policy (threshold 16): same batches and the same mode per iteration', async () => {
  const shift = { strategy: 'shift', world: 2, sp: 2, tp: 1 } as const;
  const exec = await runExec(await createWorkerExecutor({ model: 'tiny', seed: 1, kvBlocks: TIGHT.kvBlocks, blockSize: BLOCK, ...shift, policy: thresholdPolicy(16) }), TIGHT);
  const sim = await runSim(shift, TIGHT, thresholdPolicy(16));
  const modes = new Set(exec.batches.map((b) => b.mode));
  assert.equal([...modes].sort(), ['sp', 'tp']);
  assert.equal(exec.batches, sim.batches);
});

same('Shift with the cost oracle in the executor: it runs, and predicts what the simulator predicts', async () => {
  const shift = { strategy: 'shift', world: 2, sp: 2, tp: 1 } as const;
  const worker = (policy: SwitchPolicy, hardware?: string): Promise<Executor> =>
    createWorkerExecutor({ model: 'tiny', seed: 1, kvBlocks: MIXED.kvBlocks, blockSize: BLOCK, ...shift, policy, ...(hardware ? { hardware } : {}) });
  const exec = await runExec(await worker(await createPolicy('cost-oracle'), 'h200'), MIXED);
  assert.equal(exec.batches, (await runSim(shift, MIXED, await createPolicy('cost-oracle'))).batches);
  // On tiny the oracle always finds TP cheaper, so also switch on the predicted time itself: SP
  // when TP is predicted above the median of the simulator's predictions. Equal modes then need
  // equal predictions on both sides of the cut.
  const predicted: number[] = [];
  await runSim(shift, MIXED, { name: 'probe', decide: (s) => (predicted.push(s.predict('tp')), 'tp') });
  const cut = [...predicted].sort((a, b) => a - b)[Math.floor(predicted.length / 2)]!;
  const byPrediction = (): SwitchPolicy => ({ name: 'predicted-cut', decide: (s) => (s.predict('tp') > cut ? 'sp' : 'tp') });
  const cutExec = await runExec(await worker(byPrediction(), 'h200'), MIXED);
  const cutSim = await runSim(shift, MIXED, byPrediction());
  assert.equal([...new Set(cutExec.batches.map((b) => b.mode))].sort(), ['sp', 'tp']);
  assert.equal(cutExec.batches, cutSim.batches);
  // Without hardware the oracle has no cost model: the policy's error reaches the caller.
  const error = await runExec(await worker(await createPolicy('cost-oracle')), MIXED).then(() => null, (e: unknown) => e as Error);
  assert.match(error?.message ?? '', /no cost model is attached/);
});

same.run();
