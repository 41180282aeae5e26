import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CostShapeError, batchesInFlight, checkCostShape, combineRankTimes } from '../src/cost/cost-shape.ts';
import { engineBatchesInFlight } from '../src/parallel/cost-shape.ts';
import { getProfile } from '../src/cost/index.ts';
import { IterationCostModel } from '../src/cost/iteration.ts';
import { type MemoryOptions, MemoryPlanError, kvHoldingsFromTraces, planMemory, rankMemory } from '../src/cost/memory.ts';
import { TraceCache } from '../src/cost/trace-cache.ts';
import { getModel } from '../src/model/catalog.ts';
import type { MetaDtypes } from '../src/ops/meta.ts';
import { getStrategy, resolveParallel } from '../src/strategies/registry.ts';
import type { Strategy } from '../src/strategies/types.ts';

/**
 * Issue 13: the cost model traces every rank and prices the iteration by the strategy's cost
 * shape; memory is planned per rank, the tightest rank limiting the KV pool.
 */
const h200 = getProfile('h200-roofline');
const FP8: MetaDtypes = { weightBytes: 1, actBytes: 2, kvBytes: 2 };
const tiny = getModel('tiny');
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

test('cost shapes: the slowest rank, or one batch through the pipeline stages (hand computed)', () => {
  assert.equal(combineRankTimes({ kind: 'synchronous' }, [1, 3, 3, 2]), { time: 3, critical: [1, 2] });
  // Stages [0,1] and [2,3] take max(1,2) = 2 and max(3,1) = 3: one batch crosses both in 2 + 3 = 5
  // (the bubble of further batches is the engine's, not the iteration's: see engine-in-flight).
  assert.equal(combineRankTimes({ kind: 'pipeline', stages: [[0, 1], [2, 3]] }, [1, 2, 3, 1]), { time: 5, critical: [1, 2] });
  assert.is(batchesInFlight({ kind: 'pipeline', stages: [[0, 1], [2, 3]] }), 2);
  assert.is(batchesInFlight({ kind: 'synchronous' }), 1);
  assert.throws(() => checkCostShape({ kind: 'pipeline', stages: [[0, 1], [1, 2]] }, 4), (e: Error) => e instanceof CostShapeError && /rank 1 is already in an earlier stage/.test(e.message));
  assert.throws(() => checkCostShape({ kind: 'pipeline', stages: [[0], [4]] }, 4), /rank 4 is not a rank of a world of 4/);
  assert.throws(() => checkCostShape({ kind: 'pipeline', stages: [] }, 1), /at least one stage/);
  // One engine has one pipeline depth: modes that disagree are refused, naming both.
  const shapes = [{ mode: 'a', shape: { kind: 'synchronous' } as const }, { mode: 'b', shape: { kind: 'pipeline', stages: [[0], [1]] } as const }];
  assert.throws(() => engineBatchesInFlight(shapes), (e: Error) => e instanceof CostShapeError && /mode a keeps 1 .* mode b 2/.test(e.message));
  assert.is(engineBatchesInFlight(shapes.slice(1)), 2);
});

test('every rank is traced: roles of today\'s strategies (TP, SP, Shift one; DP the busy replica and the idle ones)', () => {
  const roles = (strategy: 'tp' | 'sp' | 'dp' | 'shift', sp?: number, tp?: number): unknown => {
    const parallel = resolveParallel(strategy, 4, sp, tp);
    const cost = new IterationCostModel({ model: tiny, strategy, parallel, profile: h200, dtypes: FP8 });
    return cost.modes.map((_, i) => cost.roles(i));
  };
  assert.equal(roles('tp'), [[[0, 1, 2, 3]]]);
  assert.equal(roles('sp', 2, 2), [[[0, 1, 2, 3]]]);
  assert.equal(roles('shift', 2, 2), [[[0, 1, 2, 3]], [[0, 1, 2, 3]]]);
  // The synthetic batches the cost model prices live on replica 0 (one engine's iteration).
  assert.equal(roles('dp', undefined, 2), [[[0, 1], [2, 3]]]);
});

/** TP, except that rank 1 runs every forward twice: an asymmetric strategy that no rank-0 tracer would see. */
const lopsided: Strategy = {
  ...getStrategy('tp'),
  createRank(ctx) {
    const inner = getStrategy('tp').createRank(ctx);
    return {
      ...inner,
      forward: (batch, mode) => {
        if (ctx.rank === 1) inner.forward(batch, mode);
        return inner.forward(batch, mode);
      },
    };
  },
};

test('an asymmetric strategy is priced by its slowest rank, which is on the critical path', () => {
  const parallel = resolveParallel('tp', 4);
  const key = { model: tiny, strategy: 'tp' as const, parallel, dtypes: { ...FP8, quant: tiny.quant } };
  const cost = new IterationCostModel({ model: tiny, strategy: 'tp', parallel, profile: h200, dtypes: FP8, traces: new TraceCache(key, lopsided) });
  const plain = new IterationCostModel({ model: tiny, strategy: 'tp', parallel, profile: h200, dtypes: FP8 });
  assert.equal(cost.roles(0), [[0, 2, 3], [1]]);
  const shape = { tokens: 40, sampled: 3, seqs: 4, decodes: 2, decodeContext: 300, chunks: [{ q: 38, ctx: 38 }] };
  assert.equal(cost.criticalRanks(0, shape), [1]);
  const [others, one] = cost.rankTimes(0, shape);
  const alone = plain.rankTimes(0, shape)[0]!.time;
  assert.ok(close(others!.time, alone), 'ranks 0, 2, 3 cost what TP costs');
  // Rank 1 runs every traced op twice (attention too); the sampler is priced once per iteration.
  const B = shape.sampled;
  assert.ok(close(one!.time, 2 * alone - plain.samplerTime(B)), `rank 1: ${one!.time} vs 2·${alone} − sampler`);
  const overhead = plain.time(0, shape) - alone;
  assert.ok(close(cost.time(0, shape), one!.time + overhead), 'the iteration takes as long as rank 1');
  assert.ok(close(cost.breakdown('tp', shape).total, cost.time(0, shape)), 'the breakdown is the critical rank\'s');
});

test('a pipeline cost shape: stage times summed along the pipeline (one batch; the engine overlaps batches)', () => {
  const parallel = resolveParallel('tp', 4);
  const key = { model: tiny, strategy: 'tp' as const, parallel, dtypes: { ...FP8, quant: tiny.quant } };
  // The lopsided TP declared as 2 stages [0, 1] → [2, 3]: traced on copies of 2 and 4 layers
  // (one and two per stage).
  const piped: Strategy = { ...lopsided, costShape: () => ({ kind: 'pipeline', stages: [[0, 1], [2, 3]] }) };
  const cost = new IterationCostModel({ model: tiny, strategy: 'tp', parallel, profile: h200, dtypes: FP8, traces: new TraceCache(key, piped) });
  const flat = new IterationCostModel({ model: tiny, strategy: 'tp', parallel, profile: h200, dtypes: FP8, traces: new TraceCache(key, lopsided) });
  assert.is(cost.layerUnit(0), 2);
  const shape = { tokens: 24, sampled: 2, seqs: 3, decodes: 1, decodeContext: 100, chunks: [{ q: 23, ctx: 23 }] };
  const [t0, t1] = flat.rankTimes(0, shape).map((r) => r.time);
  // Per-rank times do not depend on the layer unit (every rank's work is linear in its layers).
  cost.rankTimes(0, shape).forEach((r, i) => assert.ok(Math.abs(r.time / [t0!, t1!][i]! - 1) < 1e-9, `role ${i}`));
  // Stage 0 takes rank 1's t1, stage 1 takes t0: one batch crosses both in t1 + t0.
  const overhead = flat.time(0, shape) - t1!;
  assert.ok(Math.abs((cost.time(0, shape) - overhead) / (t0! + t1!) - 1) < 1e-9);
  assert.equal(cost.criticalRanks(0, shape), [1, 2, 3]);
  assert.ok(Math.abs(cost.breakdown('tp', shape).total / cost.time(0, shape) - 1) < 1e-9, 'the breakdown follows the critical path');
});

const mem70b: Omit<MemoryOptions, 'model'> = { memoryBytes: 141e9, kvElementBytes: 2, gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 8192, maxNumSeqs: 256, blockSize: 16 };

test('per-rank memory: Llama-3.3-70B FP8 on H200 TP8, every rank holds 80 layers × 1 KV head', () => {
  const m = getModel('llama-3.3-70b');
  const cost = new IterationCostModel({ model: m, strategy: 'tp', parallel: resolveParallel('tp', 8), profile: h200, dtypes: FP8 });
  // Llama-3.3-70B: 80 layers, 8 KV heads of dimension 128 (config.json). TP8 splits the 8 KV
  // heads one per GPU, so a token costs on each GPU 80 layers × 2 (K and V) × 1 head × 128 × 2 B
  // (BF16 KV) = 40,960 B, i.e. 512 B per layer.
  assert.equal(kvHoldingsFromTraces(cost), Array.from({ length: 8 }, (_, rank) => ({ rank, layers: 80, kvHeads: 1 })));
  const ranks = rankMemory(cost, { model: m, ...mem70b });
  for (const r of ranks) assert.is(r.kvBytesPerToken, 40_960);
  assert.is(new Set(ranks.map((r) => `${r.weightBytes}/${r.activationBytes}/${r.blocks}`)).size, 1, 'TP ranks are alike');
  const plan = planMemory(cost, { model: m, ...mem70b });
  assert.is(plan.blocks, ranks[0]!.blocks);
  assert.is(plan.blocks, Math.floor((141e9 * 0.9 - plan.weightBytes - plan.activationBytes) / (40_960 * 16)));
});

test('per-rank memory: the tightest rank limits the KV pool; a rank without KV does not', () => {
  const m = getModel('llama-3.3-70b');
  const cost = new IterationCostModel({ model: m, strategy: 'tp', parallel: resolveParallel('tp', 8), profile: h200, dtypes: FP8 });
  // A layer-split layout as a mode could declare it: ranks 0–3 hold 20 layers of KV, ranks 4–6
  // 60 layers, rank 7 none. Per token, 20 × 2 × 1 × 128 × 2 = 10,240 B on ranks 0–3 and
  // 60 × 2 × 1 × 128 × 2 = 30,720 B on ranks 4–6, so ranks 4–6 fill first.
  const holdings = Array.from({ length: 8 }, (_, rank) => ({ rank, layers: rank < 4 ? 20 : rank < 7 ? 60 : 0, kvHeads: 1 }));
  const ranks = rankMemory(cost, { model: m, ...mem70b, holdings });
  assert.equal(ranks.map((r) => r.kvBytesPerToken), [10_240, 10_240, 10_240, 10_240, 30_720, 30_720, 30_720, 0]);
  assert.is(ranks[7]!.blocks, Infinity);
  const plan = planMemory(cost, { model: m, ...mem70b, holdings });
  assert.is(plan.kvBytesPerToken, 30_720);
  assert.is(plan.blocks, Math.floor(ranks[4]!.kvBytes / (30_720 * 16)));
  assert.is(plan.blocks, Math.min(...ranks.map((r) => r.blocks)));
  // Three times the layers, a third of the blocks (the same free bytes on every rank here).
  assert.ok(Math.abs(ranks[0]!.blocks / plan.blocks - 3) < 1e-3);
  // Too little memory: the error names the tightest rank.
  assert.throws(() => planMemory(cost, { model: m, ...mem70b, memoryBytes: 10e9, holdings }), (e: Error) => e instanceof MemoryPlanError && /per GPU on rank \d, the tightest, leave -/.test(e.message));
});

test.run();
