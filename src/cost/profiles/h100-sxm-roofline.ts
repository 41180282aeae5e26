import type { HardwareProfile } from '../profile.ts';
import { CUTLASS_BLOCK_FP8, FA3_CAUSAL_EFFICIENCY, HOPPER_GEMM_TILING, NVSWITCH_COLLECTIVES, VLLM_V1_ENGINE } from './nvswitch.ts';

/**
 * HGX H100 SXM5 80GB, 8 GPUs on NVSwitch. Sources: shared/CALIBRATION.md §1–§5.
 * The uncalibrated roofline: every constant from a public source, none fitted.
 */
export const H100_SXM_ROOFLINE: HardwareProfile = {
  version: 1,
  name: 'h100-sxm-roofline',
  description: '8× H100 SXM5 80GB, NVLink 4 / NVSwitch; uncalibrated roofline (public constants only)',
  // HGX baseboard: 8 GPUs.
  gpus_per_node: 8,
  // 80 GB HBM3 (stas00/ml-engineering memory table).
  memory_bytes: 80e9,
  hbm: {
    // 3.35 TB/s peak (stas00 memory table).
    bytes_per_s: 3.35e12,
    // 2.67 TB/s achieved inside a memory-bound FP8 GEMM at M = 64 on H800, same HBM as H100
    // (deepseek-ai/DeepGEMM README): 2.67 / 3.35 = 0.80.
    efficiency: 0.8,
  },
  gemm: {
    // 989.4 TFLOP/s dense BF16 (glennklockwood.com/garden/processors/h100); MAMF 794.5 TF = 80.3%
    // (stas00 MAMF table, torch 2.7.0).
    bf16: { peak_flops: 989.4e12, max_efficiency: 0.803 },
    // 1978.9 TFLOP/s dense FP8 (same page); MAMF 1402.6 TF = 70.9% (stas00 MAMF table, e4m3).
    fp8: { peak_flops: 1978.9e12, max_efficiency: 0.709 },
    ...HOPPER_GEMM_TILING,
    fp8_block: CUTLASS_BLOCK_FP8,
  },
  attention: { peak_flops: 989.4e12, efficiency_by_context: FA3_CAUSAL_EFFICIENCY },
  collectives: NVSWITCH_COLLECTIVES,
  engine: VLLM_V1_ENGINE,
};
