import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  IterationCostModel, MemoryPlanError, StrategyTracer, attentionEfficiency, attentionTime, collectiveTime, denseGemm, gemmTime, getProfile, paddedTokens,
  defaultCaptureSizes, planMemory,
} from '../src/cost/index.ts';
import { priceRecords } from '../src/cost/price-records.ts';
import { getModel } from '../src/model/catalog.ts';
import type { MetaDtypes } from '../src/ops/meta.ts';
import { getStrategy, resolveParallel } from '../src/strategies/registry.ts';
import type { StrategyName } from '../src/strategies/types.ts';
import { Rng } from '../src/util/rng.ts';

/** The cost model against closed forms written here from the (uncalibrated roofline) profile's numbers. */

const h200 = getProfile('h200-roofline');
/** HBM read bandwidth: 3.89 TB/s measured on H200 for data sets ≥ 100 MB (te42kyfo/gpu-benches h200.txt; shared/CALIBRATION.md §1), 81% of the 4.8 TB/s peak. */
const BW = 3.888e12;
const FP8: MetaDtypes = { weightBytes: 1, actBytes: 2, kvBytes: 2 };
const close = (a: number, b: number, rel = 1e-9): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

test('GEMM: small M reads the weights (bandwidth-bound); large M is compute-bound with partial last waves', () => {
  const [k, n] = [8192, 7168];
  // An FP8 GEMM reads FP8 weights and the FP8-quantized input (1 B each) and writes BF16 (2 B).
  assert.ok(close(gemmTime(h200, denseGemm(1, n, k, 1)), (k * n + k + n * 2) / BW));
  assert.ok(gemmTime(h200, denseGemm(64, n, k, 1)) / gemmTime(h200, denseGemm(1, n, k, 1)) < 1.05, 'M = 64 should cost about a weight read');
  // M = 4096, N = K = 8192: 32 × 64 = 2048 tiles on 132 SMs → 16 waves, the last one partial.
  const waves = 2048 / (132 * 16);
  assert.ok(close(gemmTime(h200, denseGemm(4096, 8192, 8192, 1)), (2 * 4096 * 8192 * 8192) / (1978.9e12 * 0.734 * waves)));
  // Ridge: FP8 crosses from bandwidth- to compute-bound between M = 128 and M = 256 on H200.
  const memoryBound = (m: number): boolean => close(gemmTime(h200, denseGemm(m, n, k, 1)), (k * n + m * (k + 2 * n)) / BW);
  assert.ok(memoryBound(128) && !memoryBound(256));
  assert.is(gemmTime(h200, denseGemm(0, n, k, 1)), 0);
});

test('collectives: α–β by algorithm, the fastest eligible one', () => {
  const small = collectiveTime(h200, 'all_reduce', 8, 16384);
  assert.is(small.algorithm, 'custom_allreduce');
  assert.ok(close(small.time, 9.3e-6 + (16384 * 1.75) / 53.5e9));
  const big = collectiveTime(h200, 'all_reduce', 8, 1 << 30);
  assert.is(big.algorithm, 'nccl_nvls');
  assert.ok(close(big.time, 73.4e-6 + ((1 << 30) * 1.75) / 471e9));
  // The custom all-reduce stops at vLLM's 8 MiB buffer even where its line would be cheaper.
  assert.is.not(collectiveTime(h200, 'all_reduce', 2, 9 << 20).algorithm, 'custom_allreduce');
  const gather = collectiveTime(h200, 'all_gather', 8, 1 << 20);
  assert.ok(gather.algorithm === 'nccl_ring' && close(gather.time, 19.2e-6 + (7 * (1 << 20)) / 370e9));
  assert.ok(close(collectiveTime(h200, 'all_to_all', 4, 1 << 20).time, 19.2e-6 + (0.75 * (1 << 20)) / 370e9));
  assert.is(collectiveTime(h200, 'all_reduce', 1, 1 << 20).time, 0);
});

test('attention: decodes read the KV cache; long prefills are FLOP-bound at FA3 efficiency', () => {
  const heads = { qHeads: 8, kvHeads: 1, headDim: 128, kvBytes: 2, actBytes: 2 };
  const [B, ctx] = [64, 4096];
  assert.ok(close(attentionTime(h200, heads, B, B * ctx, []), (B * ctx * 128 * 2 * 2 + B * 8 * 128 * 2 * 2) / BW));
  const q = 16384;
  const flops = 4 * 128 * 8 * ((q * (q + 1)) / 2);
  assert.ok(close(attentionTime(h200, heads, 0, 0, [{ q, ctx: q }]), flops / (989.4e12 * (616 / 989.4))));
  assert.ok(close(attentionEfficiency(h200, 2048), 521 / 989.4) && close(attentionEfficiency(h200, 100), 292 / 989.4));
  const mid = attentionEfficiency(h200, 3000);
  assert.ok(mid > 521 / 989.4 && mid < 579 / 989.4);
});

test('CUDA-graph padding: to the next capture size; SP pads its per-rank share', () => {
  const sizes = defaultCaptureSizes();
  assert.is(sizes.length, 67);
  assert.equal([1, 3, 5, 9, 512, 513].map((n) => paddedTokens(sizes, n, 1)), [1, 4, 8, 16, 512, 513]);
  assert.equal([9, 4096, 4100].map((n) => paddedTokens(sizes, n, 8)), [16, 4096, 4104]);
  assert.equal(paddedTokens([], 9, 8), 16);
});

/** Whole-model traces priced directly (plus the sampler, priced outside the trace): the oracle for the cached decomposition. */
function exactBody(tracer: StrategyTracer, model: IterationCostModel, index: number, layers: number, x: number, B: number): number {
  return priceRecords(h200, tracer.trace(layers, model.modes[index]!, x, B)).sum.total + (B > 0 ? model.samplerTime(B) : 0);
}

const configs: [string, StrategyName, number, number?, number?][] = [
  ['tiny', 'tp', 4], ['tiny', 'sp', 4, 2, 2], ['tiny', 'dp', 4, 1, 2], ['tiny', 'shift', 4, 2, 2], ['small', 'shift', 4, 4, 1], ['small', 'sp', 2],
];

test('the cached body (T1 + (L−1)(T2−T1), sampling split off) equals pricing the whole model', () => {
  const rng = new Rng('body');
  for (const [name, strategy, world, sp, tp] of configs) {
    const model = getModel(name);
    const parallel = resolveParallel(strategy, world, sp, tp);
    const cost = new IterationCostModel({ model, strategy, parallel, profile: h200, dtypes: FP8, captureSizes: [] });
    const tracer = new StrategyTracer({ model, strategy: getStrategy(strategy), parallel, dtypes: FP8 });
    cost.modes.forEach((_, index) => {
      for (let trial = 0; trial < 15; trial++) {
        const x = rng.int(1, 600);
        const B = rng.uniform() < 0.2 ? 0 : rng.int(1, x + 1);
        const want = exactBody(tracer, cost, index, model.layers, x, B);
        const got = cost.nonAttention(index, x, B).total;
        assert.ok(close(got, want), `${name} ${strategy} mode ${index}: x ${x} B ${B}: ${got} vs ${want}`);
      }
    });
  }
});

test('above the exact range, token counts are interpolated within 3% of the exact price', () => {
  const model = getModel('llama-3.3-70b');
  const rng = new Rng('grid');
  for (const strategy of ['tp', 'sp'] as const) {
    const parallel = resolveParallel(strategy, 8);
    const cost = new IterationCostModel({ model, strategy, parallel, profile: h200, dtypes: FP8 });
    const tracer = new StrategyTracer({ model, strategy: getStrategy(strategy), parallel, dtypes: FP8 });
    for (let trial = 0; trial < 8; trial++) {
      const x = cost.paddedTokens(0, rng.int(4200, 40000));
      const want = exactBody(tracer, cost, 0, model.layers, x, 3);
      const got = cost.nonAttention(0, x, 3).total;
      assert.ok(Math.abs(got / want - 1) < 0.03, `${strategy} x ${x}: ${got} vs ${want}`);
    }
  }
});

test('Llama-70B FP8 TP8 decode of one token: GEMMs read each GPU’s weights once', () => {
  const m = getModel('llama-3.3-70b');
  const cost = new IterationCostModel({ model: m, strategy: 'tp', parallel: resolveParallel('tp', 8), profile: h200, dtypes: FP8 });
  // Hand calculation (shared/CALIBRATION.md §6, from Llama-3.3-70B's config.json): the 80 layers
  // hold 68.45 B linear parameters, 8.556 GB a GPU at TP 8 in FP8 (1 B each); the LM head's shard
  // adds 8192 × 128256 / 8 = 131.3 MB: 8.688 GB read once per decode step. At the 3.89 TB/s an
  // H200 reads from HBM (BW above) that is 2.235 ms.
  const expected = 8.688e9 / BW;
  const b = cost.breakdown('tp', { tokens: 1, sampled: 1, seqs: 1, decodes: 1, decodeContext: 4096, chunks: [] });
  assert.ok(Math.abs(b.gemm / expected - 1) < 0.01, `gemm ${b.gemm} s vs the hand-computed weight read ${expected} s`);
  assert.ok(b.collectives.full! > 0 && (b.collectives.sp ?? 0) === 0 && (b.collectives.tp ?? 0) === 0);
  const sum = b.gemm + b.attention + b.memory + b.collectives.full! + b.overhead;
  assert.ok(close(sum, b.total));
});

test('memory plan: Shift holds both weight copies; KV bytes per token follow the head layout', () => {
  const m = getModel('llama-3.3-70b');
  const plan = (strategy: StrategyName) => {
    const cost = new IterationCostModel({ model: m, strategy, parallel: resolveParallel(strategy, 8), profile: h200, dtypes: FP8 });
    return planMemory(cost, { model: m, memoryBytes: 141e9, kvElementBytes: 2, gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 131072, maxNumSeqs: 1024, blockSize: 16 });
  };
  const [tp, sp, dp, shift] = (['tp', 'sp', 'dp', 'shift'] as const).map(plan);
  // Hand calculation (CALIBRATION §6): Llama-3.3-70B has 70.55 B parameters, 70.55 GB in FP8; a
  // DP replica's GPU and an SP (t = 1) GPU hold all of it.
  for (const p of [dp!, sp!]) assert.ok(Math.abs(p.weightBytes / 70.55e9 - 1) < 1e-3, `${p.weightBytes} B of weights, not 70.55 GB`);
  // TP 8 holds 1/8 of it (8.819 GB) plus 7/8 of the 1.051 GB input embedding (8192 × 128256),
  // which this project replicates on every rank (src/strategies/shard.ts; vLLM splits it by
  // vocabulary): 8.819 + 0.919 = 9.738 GB.
  assert.ok(Math.abs(tp!.weightBytes / 9.738e9 - 1) < 1e-3, `TP ${tp!.weightBytes} B of weights`);
  // Shift adds the shift model (TP 8) to SP's copy: +1/s = +12.5% (shared/SHIFT.md), plus the
  // replicated embedding's 0.919 GB / 70.55 GB = 1.30%: 13.80% in all.
  assert.ok(Math.abs(shift!.weightBytes / sp!.weightBytes - 1.138) < 1e-3, `Shift ${shift!.weightBytes} B against SP ${sp!.weightBytes} B`);
  assert.is(tp!.kvBytesPerToken, 80 * 2 * 1 * 128 * 2); // one KV head per GPU
  assert.is(dp!.kvBytesPerToken, 80 * 2 * 8 * 128 * 2); // all 8 on each replica's GPU
  for (const p of [tp!, sp!, dp!, shift!]) {
    // vLLM's budget: weights + activation reserve + KV cache = memory × gpu_memory_utilization.
    assert.ok(close(p.weightBytes + p.activationBytes + p.kvBytes, 141e9 * 0.9));
    // The pool is whole blocks, and less than one block of the KV budget is left over.
    const used = p.blocks * p.kvBytesPerToken * 16;
    assert.ok(used <= p.kvBytes && p.kvBytes - used < p.kvBytesPerToken * 16);
  }
  const bf16 = new IterationCostModel({ model: m, strategy: 'dp', parallel: resolveParallel('dp', 8), profile: getProfile('h100-sxm'), dtypes: { weightBytes: 2, actBytes: 2, kvBytes: 2 } });
  assert.throws(
    () => planMemory(bf16, { model: m, memoryBytes: 80e9, kvElementBytes: 2, gpuMemoryUtilization: 0.9, maxNumBatchedTokens: 131072, maxNumSeqs: 1024, blockSize: 16 }),
    (e: Error) => e instanceof MemoryPlanError && /llama-3\.3-70b does not fit: weights 141\.1 GB/.test(e.message) && /use FP8 weights/.test(e.message),
  );
});

test.run();
