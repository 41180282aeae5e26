import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getProfile } from '../src/cost/index.ts';
import { IterationCostModel } from '../src/cost/iteration.ts';
import { kvHoldingsFromTraces } from '../src/cost/memory.ts';
import { generate } from '../src/exec/generate.ts';
import { createReferenceExecutor } from '../src/exec/reference-executor.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { kvLayout, layoutFromShards } from '../src/kv/layout.ts';
import { compareLayouts } from '../src/kv/verify.ts';
import { getModel } from '../src/model/catalog.ts';
import type { MetaDtypes } from '../src/ops/meta.ts';
import { factorizations } from '../src/parallel/mode.ts';
import { type IterationRow, fromArray, simulate } from '../src/sim/index.ts';
import { ppMode, verifyPipelineLayout } from '../src/strategies/pp.ts';
import { getStrategy, resolveParallel } from '../src/strategies/registry.ts';
import { tinyHfModel, writeCheckpoint } from './helpers/hf-checkpoint.ts';
import { worstLogitError } from './helpers/executor.ts';

/**
 * Pipeline parallelism (issue 13): P/t stages of TP t, each holding a contiguous layer range and
 * only its KV, activations handed on point-to-point, the last stage sampling.
 */

// --- real executor: token-identical to one device for every (stages, t), P ≤ 8 -----------------

// The catalog's tiny models have 2 layers; 8 stages need 8. A tiny Llama of 8 layers, written
// here as a Hugging Face checkpoint (every TP degree up to 8 divides its heads, MLP and vocabulary).
const root = mkdtempSync(path.join(tmpdir(), 'shiftlab-pp-'));
const checkpoint = path.join(root, 'deep');
writeCheckpoint(checkpoint, tinyHfModel({
  family: 'llama', layers: 8, hidden: 64, heads: 8, kvHeads: 2, mlp: 128, vocab: 256,
  ropeTheta: 10000, rmsEps: 1e-5, tied: false, dtype: 'F32', seed: 13,
}), 'F32');

// Short prompts, one chunked (20 > 16 tokens), so iterations mix prefill chunks and decodes.
const WORKLOAD = { promptLens: [3, 11, 20], maxNewTokens: 3, seed: 1, vocab: 256, maxBatchedTokens: 16, blockSize: 16, kvBlocks: 16, keepLogits: true };
const reference = generate(createReferenceExecutor({ model: 'tiny', checkpoint, seed: 1, kvBlocks: 16, blockSize: 16 }), WORKLOAD);

const exec = suite('pp executor');

for (const world of [1, 2, 4, 8]) {
  for (const { sp: stages, tp } of factorizations(world)) {
    const label = `PP=${stages}×TP=${tp}`;
    exec(`${label}: tokens identical to the reference, logits within 1e-4, each stage holds its layers`, async () => {
      const ref = await reference;
      const e = await createWorkerExecutor({ model: 'tiny', checkpoint, seed: 1, kvBlocks: 16, blockSize: 16, strategy: 'pp', world, tp });
      try {
        assert.is(e.batchesInFlight, stages, 'a batch per stage in flight');
        const run = await generate(e, WORKLOAD);
        assert.equal(run.tokens, ref.tokens, `${label}: generated tokens differ from the reference`);
        const worst = worstLogitError(run, ref);
        assert.ok(worst.error <= 1e-4, `${label}: relative error ${worst.error} at ${worst.where}`);
        // The layout the ranks report (the heads and layers their weights and caches were built
        // for): stage k = ⌊r / t⌋ of 8 layers holds layers [8k/S, 8(k+1)/S), every query head once.
        const mode = e.modes[0]!;
        const reported = e.kvLayout(mode).map((h, r) => ({ rank: r, layers: (h as { layers?: unknown }).layers }));
        assert.equal(reported, Array.from({ length: world }, (_, r) => {
          const k = Math.floor(r / tp);
          return { rank: r, layers: { start: (8 * k) / stages, end: (8 * (k + 1)) / stages } };
        }));
        // The verifier: the reported layout covers every (layer, head) and equals the formula's.
        const deep = modelOf(8);
        const fromRanks = layoutFromShards(deep, label, e.kvLayout(mode), 1);
        const v = compareLayouts(kvLayout(deep, ppMode(deep, stages, tp)), fromRanks);
        assert.is(v.verdict, 'invariant', v.reason);
      } finally {
        await e.close();
      }
    });
  }
}

exec.after(() => rmSync(root, { recursive: true, force: true }));
exec.run();

/** The catalog's tiny geometry with `layers` layers (the checkpoint above). */
function modelOf(layers: number): ReturnType<typeof getModel> {
  return { ...getModel('tiny'), name: 'tiny-deep', layers, hidden: 64, headDim: 8, mlp: 128, vocab: 256 };
}

// --- KV verifier: each (layer, sequence, head) on the ranks of one stage ------------------------

const kv = suite('pp KV layout');

kv('Llama-3.3-70B on 8 GPUs: every PP×TP split keeps each layer\'s heads on one stage', () => {
  const m = getModel('llama-3.3-70b');
  for (const { tp } of factorizations(8)) {
    const v = verifyPipelineLayout(m, 8, tp);
    assert.is(v.verdict, 'invariant', `TP ${tp}: ${v.reason}`);
  }
  // PP=4×TP=2: ranks 2 and 3 (stage 1) hold layers [20, 40), KV heads 0–3 and 4–7 of 8.
  const mode = ppMode(m, 4, 2);
  assert.equal([2, 3].map((r) => [mode.kv[r]!.layers, mode.kv[r]!.kvHeads]), [[{ start: 20, end: 40 }, [0, 1, 2, 3]], [{ start: 20, end: 40 }, [4, 5, 6, 7]]]);
});

kv('a layout that drops or doubles a layer is refused, naming the layers; too many stages are refused', () => {
  const m = getModel('llama-3.3-70b');
  const mode = ppMode(m, 4, 2);
  // Stage 1 starting one layer late leaves layer 20 on no rank.
  const gap = { ...mode, kv: mode.kv.map((r) => (r.layers.start === 20 ? { ...r, layers: { start: 21, end: 40 } } : r)) };
  const v = compareLayouts(kvLayout(m, gap), kvLayout(m, gap));
  assert.is(v.verdict, 'refused');
  assert.match(v.reason, /in layers \[20, 21\)/);
  // Stage 1 also holding layer 19 gives its query heads to two ranks there.
  const overlap = { ...mode, kv: mode.kv.map((r) => (r.layers.start === 20 ? { ...r, layers: { start: 19, end: 40 } } : r)) };
  const w = compareLayouts(kvLayout(m, overlap), kvLayout(m, overlap));
  assert.is(w.verdict, 'refused');
  assert.match(w.reason, /query head 0 in layers \[19, 20\) to 2 ranks/);
  const tiny = verifyPipelineLayout('tiny', 8, 1);
  assert.is(tiny.verdict, 'refused');
  assert.match(tiny.reason, /2 layers, too few for 8 pipeline stages/);
});

kv.run();

// --- cost model and simulator ---------------------------------------------------------------

const cost = suite('pp cost and simulation');
const h200 = getProfile('h200-roofline');
const FP8: MetaDtypes = { weightBytes: 1, actBytes: 2, kvBytes: 2 };
const m70 = getModel('llama-3.3-70b');

cost('per-rank KV: PP=4×TP=2 ranks hold 20 of Llama-3.3-70B\'s 80 layers × 4 of its 8 KV heads', () => {
  const c = new IterationCostModel({ model: m70, strategy: 'pp', parallel: resolveParallel('pp', 8, undefined, 2), profile: h200, dtypes: FP8 });
  // config.json: 80 layers, 8 KV heads. 4 stages of 80/4 = 20 layers; TP 2 splits 8 heads 4 a rank.
  assert.equal(kvHoldingsFromTraces(c), Array.from({ length: 8 }, (_, rank) => ({ rank, layers: 20, kvHeads: 4 })));
  assert.equal(c.costShape(0), { kind: 'pipeline', stages: [[0, 1], [2, 3], [4, 5], [6, 7]] });
});

cost('per-rank weights: only the first stage holds the embedding, only the last the final norm and LM head (PP=4×TP=2, 70B FP8, by hand)', () => {
  const c = new IterationCostModel({ model: m70, strategy: 'pp', parallel: resolveParallel('pp', 8, undefined, 2), profile: h200, dtypes: FP8 });
  // config.json: H 8192, 64 q / 8 KV heads of d 128, F 28672, V 128256. One layer's TP-2 half, FP8
  // GEMM weights (1 B) and BF16 norms (2 B): QKV 8192·(32 + 2·4)·128 + O 32·128·8192
  // + gate|up 8192·2·14336 + down 14336·8192 = 427,819,008 B, norms 2·8192·2 = 32,768 B.
  const layers = 20 * (427_819_008 + 32_768); //     8,557,035,520 B: every rank's 20 layers
  const embed = 128_256 * 8192; //                   1,050,673,152 B (replicated over the TP pair)
  const head = (8192 * 128_256) / 2 + 8192 * 2; //   LM head half 525,336,576 B + final norm 16,384 B
  const want = [layers + embed, layers + embed, layers, layers, layers, layers, layers + head, layers + head];
  assert.equal(Array.from({ length: 8 }, (_, r) => c.weightBytes(r)), want);
});

cost('one PP=4×TP=2 batch costs what one TP=2 copy of the model costs, plus 3 point-to-point hops', () => {
  // The same GEMMs, attention and all-reduces run, split over 4 stages one after another, so the
  // GPU time of a batch through the pipeline ≈ a DP replica of TP 2 (the whole model on 2 GPUs),
  // plus the activations [N, H] sent stage to stage, minus nothing.
  const piped = new IterationCostModel({ model: m70, strategy: 'pp', parallel: resolveParallel('pp', 8, undefined, 2), profile: h200, dtypes: FP8 });
  const replica = new IterationCostModel({ model: m70, strategy: 'dp', parallel: resolveParallel('dp', 2, undefined, 2), profile: h200, dtypes: FP8 });
  for (const shape of [
    { tokens: 64, sampled: 64, seqs: 64, decodes: 64, decodeContext: 64 * 2048, chunks: [] },
    { tokens: 4096, sampled: 1, seqs: 1, decodes: 0, decodeContext: 0, chunks: [{ q: 4096, ctx: 4096 }] },
  ]) {
    const gpu = (c: IterationCostModel): number => c.breakdown(c.modeIds[0]!, shape).total - c.breakdown(c.modeIds[0]!, shape).overhead;
    const [p, r] = [gpu(piped), gpu(replica)];
    assert.ok(p > r && p < 1.1 * r, `${shape.tokens} tokens: pipeline ${p * 1e3} ms against one TP 2 copy ${r * 1e3} ms`);
    // The hops are point-to-point over the world group, which the TP 2 copy never uses.
    assert.ok((piped.breakdown('pp', shape).collectives.world ?? 0) > 0, 'activations priced');
    assert.is(replica.breakdown('dp', shape).collectives.world ?? 0, 0);
  }
});

cost('a pipelined iteration costs Σ over stages of the slowest rank, and its breakdown adds up to that (PP=8×TP=1, PP=4×TP=2)', () => {
  for (const t of [1, 2]) {
    const c = new IterationCostModel({ model: m70, strategy: 'pp', parallel: resolveParallel('pp', 8, undefined, t), profile: h200, dtypes: FP8 });
    for (const shape of [
      { tokens: 64, sampled: 64, seqs: 64, decodes: 64, decodeContext: 64 * 2048, chunks: [] },
      { tokens: 3000, sampled: 2, seqs: 3, decodes: 1, decodeContext: 900, chunks: [{ q: 2000, ctx: 2000 }, { q: 999, ctx: 4000 }] },
    ]) {
      const byRank = new Array<number>(8).fill(0);
      for (const { ranks, time } of c.rankTimes(0, shape)) for (const r of ranks) byRank[r] = time;
      const shapeOf = c.costShape(0);
      assert.ok(shapeOf.kind === 'pipeline');
      const want = shapeOf.stages.reduce((a, ranks) => a + Math.max(...ranks.map((r) => byRank[r]!)), 0);
      const b = c.breakdown('pp', shape);
      const engine = c.time(0, shape) - want;
      assert.ok(Math.abs(b.total - b.overhead - want) < 1e-12, `TP ${t}, ${shape.tokens} tokens: breakdown ${b.total - b.overhead} vs Σ stages ${want}`);
      assert.ok(Math.abs(engine - b.overhead) < 1e-12, `TP ${t}: time() is the stages plus the engine's overhead`);
    }
  }
});

cost('the simulator keeps a batch per stage in flight under load (PP=8×TP=1)', async () => {
  const rows: IterationRow[] = [];
  const requests = Array.from({ length: 32 }, (_, i) => ({ id: i, arrival: 0, input: 512, output: 8 }));
  const spec = { name: 'pp', strategy: 'pp', world: 8, tp: 1, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8' as const, engine: { max_num_batched_tokens: 2048 } };
  const result = await simulate(spec, fromArray(requests), { onIteration: (r) => rows.push(r) });
  assert.is(result.requests.finished, 32);
  // In flight at an iteration's start: itself and every earlier one not yet ended.
  const depth = Math.max(...rows.map((r, i) => rows.slice(0, i + 1).filter((q) => q.end > r.start).length));
  assert.is(depth, 8);
  assert.is(getStrategy('pp').costShape?.(resolveParallel('pp', 8), ppMode(m70, 8, 1))?.kind, 'pipeline');
});

cost.run();
