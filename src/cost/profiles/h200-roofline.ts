import type { HardwareProfile } from '../profile.ts';
import { CUTLASS_BLOCK_FP8, FA3_CAUSAL_EFFICIENCY, HOPPER_GEMM_TILING, NVSWITCH_COLLECTIVES, VLLM_V1_ENGINE } from './nvswitch.ts';

/**
 * HGX H200 141GB, 8 GPUs on NVSwitch (the paper's machine). Same die, clocks and NVLink as the
 * H100 SXM; more and faster HBM. Sources: shared/CALIBRATION.md §1–§5.
 * The uncalibrated roofline: every constant from a public source, none fitted, and no term
 * without one (no kernel floor, per-worker engine cost or front-end time).
 */
export const H200_ROOFLINE: HardwareProfile = {
  version: 1,
  name: 'h200-roofline',
  description: '8× H200 SXM 141GB, NVLink 4 / NVSwitch; uncalibrated roofline (public constants only)',
  gpus_per_node: 8,
  // 141 GB HBM3e (NVIDIA H200 product pages; stas00 memory table).
  memory_bytes: 141e9,
  hbm: {
    // 4.8 TB/s peak (NVIDIA H200 product pages).
    bytes_per_s: 4.8e12,
    // 3.89 TB/s read for data sets ≥ 100 MB (te42kyfo/gpu-benches gpu-l2-cache/h200.txt): 0.81.
    efficiency: 0.81,
  },
  gemm: {
    // Same tensor cores as H100: 989.4 dense BF16 TFLOP/s; stas00 notes MAMF "H200 is the same" (80.3%).
    bf16: { peak_flops: 989.4e12, max_efficiency: 0.803 },
    // 1978.9 dense FP8 TFLOP/s; MAMF 1453.4 TF = 73.4% on H200 (stas00 MAMF table).
    fp8: { peak_flops: 1978.9e12, max_efficiency: 0.734 },
    ...HOPPER_GEMM_TILING,
    fp8_block: CUTLASS_BLOCK_FP8,
  },
  attention: { peak_flops: 989.4e12, efficiency_by_context: FA3_CAUSAL_EFFICIENCY },
  collectives: NVSWITCH_COLLECTIVES,
  engine: VLLM_V1_ENGINE,
};
