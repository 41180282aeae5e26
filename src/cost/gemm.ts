import type { GemmScheme } from '../ops/trace.ts';
import type { HardwareProfile } from './profile.ts';

/** A GEMM as the meta trace records it: x [m, k] · W [k, n], element bytes and kernel family. */
export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly weightBytes: number;
  /** Bytes per input element (1 when an FP8 GEMM reads activations quantized before it). */
  readonly inBytes: number;
  /** Bytes per output element. */
  readonly actBytes: number;
  readonly scheme: GemmScheme;
}

/**
 * Time of x [m, k] · W [k, n] on one GPU: a roofline whose compute side knows how a Hopper GEMM
 * fills the machine.
 *
 *   compute  2·m·n·k / (peak · max_eff · rows · waves)
 *            rows  = m / (m rounded up to the MMA granularity, 64)     M = 1 does M = 64's work
 *            waves = tiles / (SMs · ⌈tiles / SMs⌉), tiles = ⌈m/128⌉·⌈n/128⌉   the last wave is partial;
 *                    1 when there are fewer tiles than SMs (small-M kernels split K over the SMs)
 *   memory   (k·n·wb + m·k·ib + m·n·ab) / (HBM · hbm_eff)               weights dominate at small m
 *
 * So small-M GEMMs are bandwidth-bound, and the compute-bound regime starts near
 * m ≈ peak·max_eff / (2·HBM·hbm_eff) ≈ 190 for FP8 on H200 (CALIBRATION §2: 270–300 on H100).
 * FP8 weights (1 byte) run on FP8 tensor cores (W8A8), BF16 weights on BF16 ones.
 *
 * Block-scaled FP8 ('fp8-block', when the profile has gemm.fp8_block) runs vLLM's CUTLASS
 * blockwise kernel, which has no split-K: each 128 × 128 output tile walks the whole K on one
 * SM, rescaling every 128-deep step. Its time is that walk plus the padded work at the kernel's
 * full-machine rate, never faster than the roofline:
 *
 *   block    k_step_s · ⌈k / tile_k⌉ + 2·⌈m/tile_m⌉·tile_m·n·k / flops
 *
 * At small M the first term dominates and does not shrink with n: the decode penalty of block
 * FP8 (CALIBRATION §2: a quarter of per-channel FP8's bandwidth at M = 1) is large and depends on
 * the shape; at large M it approaches the kernel's rate.
 */
export function gemmTime(p: HardwareProfile, r: GemmShape): number {
  const { m, n, k } = r;
  if (m === 0) return 0;
  const g = p.gemm;
  const memory = (k * n * r.weightBytes + m * k * r.inBytes + m * n * r.actBytes) / (p.hbm.bytes_per_s * p.hbm.efficiency);
  const block = g.fp8_block;
  if (r.scheme === 'fp8-block' && block) {
    const walk = block.k_step_s * Math.ceil(k / block.tile_k);
    const work = (2 * Math.ceil(m / g.tile_m) * g.tile_m * n * k) / block.flops;
    return Math.max(walk + work, memory);
  }
  const dt = r.weightBytes <= 1 ? g.fp8 : g.bf16;
  const rows = m / (Math.ceil(m / g.m_granularity) * g.m_granularity);
  const tiles = Math.ceil(m / g.tile_m) * Math.ceil(n / g.tile_n);
  const waves = tiles < g.sms ? 1 : tiles / (g.sms * Math.ceil(tiles / g.sms));
  const compute = (2 * m * n * k) / (dt.peak_flops * dt.max_efficiency * rows * waves);
  return compute > memory ? compute : memory;
}

/** A BF16 or per-channel FP8 GEMM with BF16 activations (calibration arithmetic, tests). */
export function denseGemm(m: number, n: number, k: number, weightBytes: number): GemmShape {
  return { m, n, k, weightBytes, inBytes: weightBytes <= 1 ? 1 : 2, actBytes: 2, scheme: weightBytes <= 1 ? 'fp8-channel' : 'bf16' };
}

/** A memory-bound op (norms, RoPE, residual adds, KV writes, packing): bytes at achievable HBM bandwidth. */
export function memoryTime(p: HardwareProfile, bytes: number): number {
  return bytes / (p.hbm.bytes_per_s * p.hbm.efficiency);
}
