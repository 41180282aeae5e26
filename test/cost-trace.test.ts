import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StrategyTracer } from '../src/cost/tracer.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import type { Batch } from '../src/model/batch.ts';
import { getModel } from '../src/model/catalog.ts';
import type { CommRecord, OpRecord } from '../src/ops/trace.ts';
import { alternatePolicy } from '../src/policy/alternate.ts';
import { getStrategy, resolveParallel } from '../src/strategies/registry.ts';
import type { StrategyName } from '../src/strategies/types.ts';

/**
 * The cost model's op list comes from the strategy code run on the meta backends. Here, at tiny
 * scale, the collectives of that meta trace must equal, per kind and group and in order, the
 * bytes the local communicator really moved when the worker executor ran the same batch
 * (float32 on tfjs: 4 bytes per element, so the meta trace uses 4-byte activations). The meta
 * trace of the synthetic batch with the same N and B, which the cost model caches, must agree too.
 */
const model = getModel('tiny');
const tokens = (n: number, seed: number): number[] => Array.from({ length: n }, (_, k) => (seed * 31 + k * 7) % model.vocab);

// N = 23 tokens (not a multiple of s), B = 2 sampling sequences: a finishing prompt, a prompt
// chunk that does not sample yet, and a decode.
const BATCH: Batch = {
  seqs: [
    { id: 0, replica: 0, tokens: tokens(5, 1), start: 0, blockTable: [0], sample: true, decode: false },
    { id: 1, replica: 0, tokens: tokens(17, 2), start: 0, blockTable: [1, 2], sample: false, decode: false },
    { id: 2, replica: 0, tokens: tokens(1, 3), start: 20, blockTable: [3, 4], sample: true, decode: true },
  ],
};

const key = (r: CommRecord): string => (r.op === 'p2p' ? `${r.dir}@${r.group}→${r.peer}:${r.bytes}` : `${r.kind}@${r.group}×${r.size}:${r.bytes}`);
const collectives = (records: readonly OpRecord[]): string[] => records.filter((r): r is CommRecord => r.op === 'collective' || r.op === 'p2p').map(key);

function perKindAndGroup(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    const [what, bytes] = k.split(':') as [string, string];
    out[what] = (out[what] ?? 0) + Number(bytes);
  }
  return out;
}

const cases: [StrategyName, number, number?, number?][] = [['tp', 2], ['sp', 2], ['dp', 4, 1, 2], ['shift', 4, 2, 2]];

for (const [strategy, world, sp, tp] of cases) {
  test(`${strategy} P=${world}: meta-trace collectives equal the bytes the local communicator moved`, async () => {
    const parallel = resolveParallel(strategy, world, sp, tp);
    const tracer = new StrategyTracer({ model, strategy: getStrategy(strategy), parallel, dtypes: { weightBytes: 4, actBytes: 4, kvBytes: 4 } });
    const exec = await createWorkerExecutor({
      model: 'tiny', strategy, world, seed: 1, kvBlocks: 64, blockSize: 16, policy: alternatePolicy(),
      ...(sp !== undefined ? { sp } : {}), ...(tp !== undefined ? { tp } : {}),
    });
    try {
      // Shift: the alternate policy runs the SP base first, then full TP.
      for (let step = 0; step < exec.modes.length; step++) {
        const result = await exec.step(BATCH);
        const real = result.comm[0]!.map(key);
        const meta = collectives(tracer.traceBatch(model.layers, result.mode, BATCH));
        const synthetic = collectives(tracer.trace(model.layers, result.mode, 23, 2));
        assert.ok(real.length > 0, `${result.mode.id}: no collectives were moved`);
        assert.equal(perKindAndGroup(meta), perKindAndGroup(real), `${result.mode.id}: bytes per kind and group`);
        assert.equal(meta, real, `${result.mode.id}: collectives in order`);
        assert.equal(synthetic, meta, `${result.mode.id}: the synthetic batch of the same N and B`);
        // Ranks are symmetric (DP: within the replica that holds the batch), so rank 0 stands for all.
        const peers = strategy === 'dp' ? result.comm.slice(0, parallel.tp) : result.comm;
        peers.forEach((records, rank) => assert.equal(records.map(key), real, `rank ${rank} differs from rank 0`));
      }
    } finally {
      await exec.close();
    }
  });
}

test.run();
