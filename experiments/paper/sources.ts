/**
 * Where each constant of the H200 hardware profile (src/cost/profiles/h200.ts, nvswitch.ts)
 * comes from, keyed by the path calibration.ts gives it. The values are never written here:
 * the README's table reads them from the profile, and test/paper-report.test.ts fails when a
 * constant has no source or a source names no constant. [D]: arithmetic on the cited numbers
 * (shared/CALIBRATION.md).
 */
export const PROFILE_SOURCES: Readonly<Record<string, string>> = {
  gpus_per_node: 'HGX H200 baseboard: 8 GPUs on NVSwitch (the paper’s node)',
  memory_bytes: '141 GB HBM3e (NVIDIA H200 product pages; stas00/ml-engineering memory table)',
  'hbm.bytes_per_s': '4.8 TB/s peak (NVIDIA H200 product pages)',
  'hbm.efficiency': '3.89 TB/s read on data sets ≥ 100 MB (te42kyfo/gpu-benches gpu-l2-cache/h200.txt) ÷ 4.8 TB/s',
  'gemm.bf16.peak_flops': '989.4 TFLOP/s dense BF16, same die as H100 (glennklockwood.com/garden/processors/h100)',
  'gemm.bf16.max_efficiency': 'MAMF 794.5 TFLOP/s = 80.3% of peak; “H200 is the same” (stas00/ml-engineering MAMF table, torch 2.7.0)',
  'gemm.fp8.peak_flops': '1978.9 TFLOP/s dense FP8 (glennklockwood.com/garden/processors/h100; the datasheet’s 3958 assumes 2:4 sparsity)',
  'gemm.fp8.max_efficiency': 'MAMF 1453.4 TFLOP/s on H200 = 73.4% of peak (stas00/ml-engineering MAMF table, e4m3)',
  'gemm.sms': '132 SMs (NVIDIA H100 table via hpctech; H200 SXM page)',
  'gemm.tile_m': '128-row output tile, the common CUTLASS / DeepGEMM Hopper tile; [D] wave quantisation with it matches DeepGEMM’s M = 4096 TFLOP/s within a few % (src/cost/profiles/nvswitch.ts)',
  'gemm.tile_n': '128-column output tile (as tile_m)',
  'gemm.fp8_block.k_step_s': '[D] block-scaled FP8 GEMM (vLLM’s CUTLASS blockwise kernel on Hopper): least-squares fit of k_step·⌈K/128⌉ + padded work / rate to the CUTLASS column of vllm PR #23280 (H100, N 2112, K 7168; CALIBRATION §2): 0.48 µs per 128-deep K step',
  'gemm.fp8_block.tile_k': 'the K step of the block kernel: the 128-wide scale block of the checkpoint (Qwen3-32B-FP8 weight_block_size [128, 128])',
  'gemm.fp8_block.flops': '[D] same fit: 525 TFLOP/s of padded work at full occupancy (measured 490 at M = 8192)',
  'gemm.m_granularity': 'wgmma.mma_async is m64nNk16 (PTX ISA): rows come in multiples of 64, so M = 1 does M = 64’s tensor-core work',
  'attention.peak_flops': 'BF16 tensor-core peak, 989.4 TFLOP/s (as gemm.bf16.peak_flops)',
  'attention.efficiency_by_context[512]': 'FlashAttention-3 causal, BF16, head dim 128, H100: 292 TFLOP/s at 512 (arXiv 2407.08608 figure, as transcribed in shared/CALIBRATION.md §3)',
  'attention.efficiency_by_context[1024]': 'same figure: 423 TFLOP/s at 1k',
  'attention.efficiency_by_context[2048]': 'same figure: 521 TFLOP/s at 2k',
  'attention.efficiency_by_context[4096]': 'same figure: 579 TFLOP/s at 4k',
  'attention.efficiency_by_context[8192]': 'same figure: 602 TFLOP/s at 8k',
  'attention.efficiency_by_context[16384]': 'same figure: 616 TFLOP/s at 16k (held constant beyond)',
  'collectives[custom_allreduce].alpha_s': 'vLLM custom all-reduce, 9.3 µs at 4 KB, H100 TP 8, no CUDA graph (sgl-project/sglang PR #2904)',
  'collectives[custom_allreduce].bus_bytes_per_s': '[D] same table: 11.8 µs at 32 KB → 45.0 µs at 1 MB = 30.6 GB/s of payload × bus factor 1.75',
  'collectives[custom_allreduce].max_bytes': 'CustomAllreduce max_size = 8 MiB (vllm/distributed/device_communicators/custom_all_reduce.py)',
  'collectives[nccl_ring].alpha_s': '19.2 µs for a 128 B all-reduce, 8× H100, torch.distributed eager (ByteDance-Seed/Triton-distributed #57)',
  'collectives[nccl_ring].bus_bytes_per_s': '~370 GB/s bus bandwidth in all-gather / all-to-all and with NCCL_ALGO=RING (NVIDIA/nccl-tests #212)',
  'collectives[nccl_p2p_all_to_all].alpha_s': 'Ulysses’ all_to_all_single over NCCL point-to-point; uncalibrated: NCCL’s small-message start-up, 19.2 µs (ByteDance-Seed/Triton-distributed #57)',
  'collectives[nccl_p2p_all_to_all].bus_bytes_per_s': '~370 GB/s bus bandwidth seen in all-to-all (NVIDIA/nccl-tests #212)',
  'collectives[nccl_nvls].alpha_s': '[D] the line through two 8× H100 all-reduces: 16 MiB in 135.7 µs (Triton-distributed #57) and 1 GiB in ~4.06 ms (marin-community/marin #6736)',
  'collectives[nccl_nvls].bus_bytes_per_s': '[D] same line: 269 GB/s algorithm bandwidth × 1.75 = 471 GB/s (nccl-tests #212: NVLS peak ~480 GB/s)',
  'engine.iteration_s': '[D] vLLM V1’s small-model floor, Llama-3.2-1B mean TPOT 2.73 ms (vllm PR #17866), less a ~0.9 ms weight read',
  'engine.per_seq_s': '[D] 5–6 ms between decode steps at batch 256 before async scheduling (vllm PR #11133): (5.5 − 1.8) ms / 256',
};
