import type { BlockFp8Kernel, CollectiveAlgorithm } from '../profile.ts';

/**
 * Collectives inside one 8-GPU NVLink 4 / NVSwitch node (HGX H100 and H200 share the fabric:
 * 18 links, 900 GB/s bidirectional per GPU; MLPerf inference v4.1 H200-SXM-141GBx8 system JSON,
 * nccl-tests #212). Each entry is an α–β line t = α + payload · f / bus_bytes_per_s, with f the
 * nccl-tests bus factor of the collective (all-reduce 2(n−1)/n, others (n−1)/n); the cost model
 * takes, like NCCL's tuner, the fastest algorithm eligible for the message (see collective.ts).
 * [D] marks arithmetic on the cited numbers (shared/CALIBRATION.md §4).
 */
export const NVSWITCH_COLLECTIVES: readonly CollectiveAlgorithm[] = [
  {
    // vLLM's custom all-reduce (P2P over NVLink; used for TP all-reduces up to its buffer size).
    algorithm: 'custom_allreduce',
    kinds: ['all_reduce'],
    // 9.3 µs at 4 KB, H100 TP8, no CUDA graph (sgl-project/sglang PR #2904, vLLM CA column).
    alpha_s: 9.3e-6,
    // [D] same table: 11.8 µs at 32 KB → 45.0 µs at 1 MB, i.e. 30.6 GB/s of payload (sizes read
    // as bytes), × 2(n−1)/n = 1.75 at n = 8 → 53.5 GB/s bus.
    bus_bytes_per_s: 53.5e9,
    // CustomAllreduce(max_size=8192 * 1024) in vllm/distributed/device_communicators/custom_all_reduce.py.
    max_bytes: 8 * 1024 * 1024,
  },
  {
    // NCCL ring: the algorithm of all-gather and reduce-scatter, and of mid-size all-reduces.
    algorithm: 'nccl_ring',
    kinds: ['all_reduce', 'all_gather', 'reduce_scatter'],
    // 19.2 µs for a 128 B all-reduce, 8×H100, torch.distributed eager (ByteDance-Seed/Triton-distributed #57).
    alpha_s: 19.2e-6,
    // ~370 GB/s busBW in non-all-reduce ops and with NCCL_ALGO=RING (sjeaugey, nccl-tests #212).
    bus_bytes_per_s: 370e9,
  },
  {
    // Ulysses' all_to_all_single: NCCL point-to-point, one send and one receive per peer in a
    // group call, so its start-up is its own line (a calibrated profile fits it), not a ring's.
    algorithm: 'nccl_p2p_all_to_all',
    kinds: ['all_to_all'],
    // Uncalibrated: NCCL's small-message start-up, as nccl_ring (19.2 µs, Triton-distributed #57).
    alpha_s: 19.2e-6,
    // ~370 GB/s busBW seen in all-to-all (sjeaugey, nccl-tests #212).
    bus_bytes_per_s: 370e9,
  },
  {
    // NCCL NVLS (NVSwitch multicast) all-reduce: highest bandwidth, higher start-up.
    algorithm: 'nccl_nvls',
    kinds: ['all_reduce'],
    // [D] the line through two measured 8×H100 all-reduces, 16 MiB in 135.7 µs
    // (ByteDance-Seed/Triton-distributed #57) and 1 GiB in ~4.06 ms (marin-community/marin
    // #6736): 3.71 µs per MB of payload = 269 GB/s algorithm bandwidth, × 1.75 = 471 GB/s bus
    // (close to the ~480 GB/s NVLS peak of nccl-tests #212), and α = 135.7 − 16.8 · 3.71 = 73.4 µs.
    alpha_s: 73.4e-6,
    bus_bytes_per_s: 471e9,
  },
];

/**
 * vLLM V1 engine (CPU) time per iteration, not overlapped with the GPU (no async scheduling in
 * the vLLM 0.9–0.10 the paper used). [D] from shared/CALIBRATION.md §5:
 *  - per_seq_s: the gap between two decode steps was 5–6 ms at batch 256 before async
 *    scheduling (vllm PR #11133, V1): (5.5 ms − iteration_s) / 256 = 14.5 µs per sequence.
 *  - iteration_s: V1's small-model floor, Llama-3.2-1B mean TPOT 2.73 ms (vllm PR #17866), less
 *    the ~0.9 ms a 2.47 GB BF16 weight read takes at ~2.7 TB/s: 1.8 ms.
 */
export const VLLM_V1_ENGINE = { iteration_s: 1.8e-3, per_seq_s: 14.5e-6 } as const;

/**
 * FlashAttention-3 causal forward, BF16, head dim 128, H100 SXM5 (arXiv 2407.08608, figure
 * values as transcribed in shared/CALIBRATION.md §3): 292 / 423 / 521 / 579 / 602 / 616 TFLOP/s
 * at 512 … 16k, as fractions of 989.4 TFLOP/s. H200 has the same SMs and clock.
 */
export const FA3_CAUSAL_EFFICIENCY: readonly (readonly [number, number])[] = [
  [512, 292 / 989.4],
  [1024, 423 / 989.4],
  [2048, 521 / 989.4],
  [4096, 579 / 989.4],
  [8192, 602 / 989.4],
  [16384, 616 / 989.4],
];

/**
 * How Hopper GEMM kernels fill the GPU (used by gemm.ts):
 *  - 132 SMs (H100 SXM5 and H200 SXM: hpctech copy of the NVIDIA H100 table; saulelectric H200 page).
 *  - Rows come in multiples of 64: the warpgroup MMA instruction is m64nNk16 (PTX ISA,
 *    wgmma.mma_async), so a GEMM with M = 1 does the tensor-core work of M = 64.
 *  - 128 × 128 output tiles, one per SM per wave (the common CUTLASS / DeepGEMM Hopper tile).
 *    [D] check: wave quantisation with it gives 0.82 / 0.97 / 0.97 of MAMF for DeepGEMM's
 *    M = 4096 rows (N × K = 2112×7168 / 4096×7168 / 7168×16384), measured 1058 / 1304 / 1358 TF,
 *    i.e. 0.75 / 0.93 / 0.97 of 1402.6 (CALIBRATION §2).
 */
export const HOPPER_GEMM_TILING = { sms: 132, tile_m: 128, tile_n: 128, m_granularity: 64 } as const;

/**
 * vLLM's block-scaled FP8 GEMM on Hopper (CUTLASS blockwise, what W8A8BlockFp8LinearOp runs on
 * sm90 when CUTLASS supports block FP8: vllm/model_executor/layers/quantization/utils/fp8_utils.py),
 * timed as t = k_step_s·⌈K/128⌉ + 2·⌈M/128⌉·128·N·K / flops (src/cost/gemm.ts).
 * [D] The least-squares fit (of log time) of that form to the CUTLASS column of vllm PR #23280
 * (H100 80GB HBM3, N = 2112, K = 7168; CALIBRATION §2): 0.48 µs per 128-deep K step and 525
 * TFLOP/s, within ±5% of the measured times at M = 1 … 8192 except +17% at M = 512
 * (test/cost-terms.test.ts checks it against the table). The kernel is bound by its SMs, not by
 * HBM (0.44 TB/s of weights at M = 1), so H200, with the same SMs and clocks, takes the same.
 */
export const CUTLASS_BLOCK_FP8: BlockFp8Kernel = { k_step_s: 0.48e-6, tile_k: 128, flops: 525e12 };
