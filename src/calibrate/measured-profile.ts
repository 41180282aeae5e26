import { denseGemm, gemmTime } from '../cost/gemm.ts';
import { type HardwareProfile, parseProfile } from '../cost/profile.ts';
import { getProfile } from '../cost/profiles/index.ts';

/**
 * Turning measurements made on one GPU (`yarn calibrate`) into a hardware profile for the cost
 * model (src/cost/profile.ts). Pure functions: the measuring is in src/cli/calibrate.ts. It lives
 * above both src/ops (the kernels it times) and src/cost (the profile it writes).
 *
 * Measured and replaced: memory_bytes, hbm.efficiency (device copy / datasheet peak), gemm.sms,
 * gemm.bf16.max_efficiency (fitted so the cost model's gemmTime matches the measured GEMM times
 * over all M), attention.efficiency_by_context (causal prefill). Everything else (peaks from
 * datasheets, FP8, collectives, engine overhead) is kept from the built-in profile of the same
 * GPU, with its sources.
 */
export interface GemmPoint {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly seconds: number;
}

export interface Measurements {
  readonly device: string;
  readonly date: string;
  /** Whose kernels were timed: PyTorch (cuBLAS, FlashAttention) or this project's. */
  readonly kernels: 'torch' | 'ours';
  readonly sms: number;
  readonly memoryBytes: number;
  /** Device-to-device copy, bytes read + written per second. */
  readonly copyBytesPerSecond: number;
  /** BF16 GEMMs of the Llama-70B TP8 layers over a range of M. */
  readonly gemm: readonly GemmPoint[];
  /** Causal prefill attention, FLOP/s by context length. */
  readonly attention: readonly { readonly context: number; readonly flopsPerSecond: number }[];
}

/** The built-in profile of the GPU named by the driver (H100 or H200), or H100 SXM with a note. */
export function baseProfileFor(deviceName: string): { profile: HardwareProfile; note?: string } {
  if (/H200/i.test(deviceName)) return { profile: getProfile('h200') };
  if (/H100/i.test(deviceName)) return { profile: getProfile('h100-sxm') };
  return { profile: getProfile('h100-sxm'), note: `no built-in profile for '${deviceName}': unmeasured fields are the H100 SXM's` };
}

/**
 * The gemm.bf16.max_efficiency in (0, 1] for which the cost model's gemmTime best matches the
 * measured times (least squares of log time ratios, grid of 0.001).
 */
export function fitGemmEfficiency(base: HardwareProfile, points: readonly GemmPoint[]): number {
  if (points.length === 0) throw new Error('fitGemmEfficiency: no GEMM measurements');
  let best = { eff: 1, err: Infinity };
  for (let e = 1; e <= 1000; e++) {
    const eff = e / 1000;
    const p: HardwareProfile = { ...base, gemm: { ...base.gemm, bf16: { ...base.gemm.bf16, max_efficiency: eff } } };
    const err = points.reduce((a, x) => a + Math.log(gemmTime(p, denseGemm(x.m, x.n, x.k, 2)) / x.seconds) ** 2, 0);
    if (err < best.err) best = { eff, err };
  }
  return best.eff;
}

const clampFraction = (x: number): number => Math.min(1, Math.max(1e-6, x));

/** The calibrated profile, validated against the cost model's schema. */
export function calibratedProfile(base: HardwareProfile, m: Measurements): HardwareProfile {
  const where = `measured by yarn calibrate on ${m.device}, ${m.date}`;
  const who = m.kernels === 'torch' ? 'PyTorch (cuBLAS / SDPA)' : "this project's cuda kernels";
  const hbm = { ...base.hbm, efficiency: clampFraction(m.copyBytesPerSecond / base.hbm.bytes_per_s) };
  const withHbm: HardwareProfile = { ...base, hbm, gemm: { ...base.gemm, sms: m.sms } };
  const gemmEff = fitGemmEfficiency(withHbm, m.gemm);
  const attention = [...m.attention]
    .sort((a, b) => a.context - b.context)
    .map((a) => [a.context, clampFraction(a.flopsPerSecond / base.attention.peak_flops)] as const);
  const profile = {
    ...withHbm,
    name: `${base.name}-calibrated`,
    description: `${base.description ?? base.name}; efficiencies ${where} (${who})`,
    memory_bytes: m.memoryBytes,
    gemm: { ...withHbm.gemm, bf16: { ...base.gemm.bf16, max_efficiency: gemmEff } },
    attention: attention.length > 0 ? { ...base.attention, efficiency_by_context: attention } : base.attention,
    sources: {
      ...base.sources,
      memory_bytes: `${where}: cudaDeviceProp.totalGlobalMem`,
      'hbm.efficiency': `${where}: device-to-device copy ${(m.copyBytesPerSecond / 1e12).toFixed(2)} TB/s (read + write) / ${(base.hbm.bytes_per_s / 1e12).toFixed(2)} TB/s peak`,
      'gemm.sms': `${where}: cudaDeviceProp.multiProcessorCount`,
      'gemm.bf16.max_efficiency': `${where}: fitted to ${m.gemm.length} BF16 GEMM times of the Llama-3.3-70B TP8 layers (${who})`,
      ...(attention.length > 0 ? { 'attention.efficiency_by_context': `${where}: causal prefill, 8 q / 1 KV heads of 128 (${who})` } : {}),
    },
  };
  return parseProfile(profile, 'calibrated profile');
}
