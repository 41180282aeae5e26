import type { HardwareProfile } from './profile.ts';

/**
 * Time of x [m, k] · W [k, n] on one GPU: a roofline whose compute side knows how a Hopper GEMM
 * fills the machine.
 *
 *   compute  2·m·n·k / (peak · max_eff · rows · waves)
 *            rows  = m / (m rounded up to the MMA granularity, 64)     M = 1 does M = 64's work
 *            waves = tiles / (SMs · ⌈tiles / SMs⌉), tiles = ⌈m/128⌉·⌈n/128⌉   the last wave is partial;
 *                    1 when there are fewer tiles than SMs (small-M kernels split K over the SMs)
 *   memory   (k·n·wb + m·k·ab + m·n·ab) / (HBM · hbm_eff)                weights dominate at small m
 *
 * So small-M GEMMs are bandwidth-bound, and the compute-bound regime starts near
 * m ≈ peak·max_eff / (2·HBM·hbm_eff) ≈ 190 for FP8 on H200 (CALIBRATION §2: 270–300 on H100).
 * FP8 weights (1 byte) run on FP8 tensor cores (W8A8), BF16 weights on BF16 ones.
 */
export function gemmTime(p: HardwareProfile, m: number, n: number, k: number, weightBytes: number, actBytes: number): number {
  if (m === 0) return 0;
  const g = p.gemm;
  const dt = weightBytes <= 1 ? g.fp8 : g.bf16;
  const rows = m / (Math.ceil(m / g.m_granularity) * g.m_granularity);
  const tiles = Math.ceil(m / g.tile_m) * Math.ceil(n / g.tile_n);
  const waves = tiles < g.sms ? 1 : tiles / (g.sms * Math.ceil(tiles / g.sms));
  const compute = (2 * m * n * k) / (dt.peak_flops * dt.max_efficiency * rows * waves);
  const memory = (k * n * weightBytes + m * (k + n) * actBytes) / (p.hbm.bytes_per_s * p.hbm.efficiency);
  return compute > memory ? compute : memory;
}

/** A memory-bound op (norms, RoPE, residual adds, KV writes, packing): bytes at achievable HBM bandwidth. */
export function memoryTime(p: HardwareProfile, bytes: number): number {
  return bytes / (p.hbm.bytes_per_s * p.hbm.efficiency);
}
