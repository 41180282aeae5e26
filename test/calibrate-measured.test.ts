import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { denseGemm, gemmTime } from '../src/cost/gemm.ts';
import { parseProfile } from '../src/cost/profile.ts';
import { GEMM_SHAPES } from '../src/ops/cuda-cases.ts';
import { type GemmPoint, type Measurements, baseProfileFor, calibratedProfile, fitGemmEfficiency } from '../src/calibrate/measured-profile.ts';

/** yarn calibrate's arithmetic, on synthetic measurements (the measuring itself needs a GPU). */
const { profile: h100 } = baseProfileFor('NVIDIA H100 80GB HBM3');

function synthetic(eff: number): GemmPoint[] {
  const p = { ...h100, gemm: { ...h100.gemm, bf16: { ...h100.gemm.bf16, max_efficiency: eff } } };
  return [1, 16, 64, 256, 1024, 4096].flatMap((m) => GEMM_SHAPES.map(({ K, N }) => ({ m, n: N, k: K, seconds: gemmTime(p, denseGemm(m, N, K, 2)) })));
}

test('baseProfileFor picks the built-in profile by device name', () => {
  assert.is(baseProfileFor('NVIDIA H200').profile.name, 'h200');
  assert.is(h100.name, 'h100-sxm');
  const other = baseProfileFor('NVIDIA A100-SXM4-80GB');
  assert.is(other.profile.name, 'h100-sxm');
  assert.match(other.note ?? '', /no built-in profile for 'NVIDIA A100-SXM4-80GB'/);
});

test('fitGemmEfficiency recovers the efficiency that generated the times', () => {
  for (const eff of [0.55, 0.72, 0.8]) assert.is(fitGemmEfficiency(h100, synthetic(eff)), eff);
  assert.throws(() => fitGemmEfficiency(h100, []), /no GEMM measurements/);
});

test('calibratedProfile replaces the measured fields, keeps the rest, and validates', () => {
  const m: Measurements = {
    device: 'NVIDIA H100 80GB HBM3',
    date: '2026-11-22',
    kernels: 'torch',
    sms: 132,
    memoryBytes: 85e9,
    copyBytesPerSecond: 0.8 * 3.35e12, // the built-in efficiency, so synthetic() matches
    gemm: synthetic(0.75),
    attention: [
      { context: 4096, flopsPerSecond: 600e12 },
      { context: 512, flopsPerSecond: 300e12 },
    ],
  };
  const p = calibratedProfile(h100, m);
  assert.equal(parseProfile(JSON.parse(JSON.stringify(p))), p, 'the written JSON loads back');
  assert.is(p.name, 'h100-sxm-calibrated');
  assert.is(p.memory_bytes, 85e9);
  assert.ok(Math.abs(p.hbm.efficiency - 0.8) < 1e-12);
  assert.is(p.gemm.bf16.max_efficiency, 0.75);
  assert.equal(p.gemm.fp8, h100.gemm.fp8);
  assert.equal(p.collectives, h100.collectives);
  assert.equal(p.attention.efficiency_by_context.map((x) => x[0]), [512, 4096]);
  assert.ok(Math.abs(p.attention.efficiency_by_context[1]![1] - 600 / 989.4) < 1e-12);
  assert.match(p.sources!['hbm.efficiency']!, /measured by yarn calibrate on NVIDIA H100 80GB HBM3, 2026-11-22/);
  const fast = calibratedProfile(h100, { ...m, copyBytesPerSecond: 9e12 });
  assert.is(fast.hbm.efficiency, 1, 'efficiencies are clamped to 1');
});

test.run();
