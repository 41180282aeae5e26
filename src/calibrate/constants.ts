
/**
 * The constants `yarn calibrate fit` may move, each with physical bounds and the value its source
 * gives (the prior). The same constants serve every model, system and workload: nothing here is
 * per model or per strategy. `scope` says what a constant describes: 'software' (vLLM, NCCL and
 * CUDA-graph behaviour on a Hopper node: carried over to every profile derived from the fit,
 * e.g. h100-sxm) or 'hardware' (this GPU's memory: stays with the H200).
 *
 * Keys are profile paths as the paper's calibration table writes them:
 * `engine.iteration_s`, `collectives[nccl_p2p_all_to_all].alpha_s`, …
 */
export interface FreeConstant {
  readonly key: string;
  readonly prior: number;
  readonly lower: number;
  readonly upper: number;
  readonly scope: 'software' | 'hardware';
  /** Whether the prior comes from a public source; unsourced constants are marked fitted, weakly held. */
  readonly sourced: boolean;
  readonly source: string;
}

export const FREE_CONSTANTS: readonly FreeConstant[] = [
  {
    key: 'gemm.fp8.max_efficiency',
    prior: 0.734, lower: 0.45, upper: 0.8, scope: 'software', sourced: true,
    source: 'prior: MAMF 1453.4 TFLOP/s on H200 = 73.4% (stas00 MAMF table, torch._scaled_mm); vLLM runs CUTLASS scaled_mm with per-token scales; float8_experimental PR #38 measured 55–71% on Llama-70B TP8 shapes (CALIBRATION §2): the bounds',
  },
  {
    key: 'kernel_floor_s',
    prior: 3e-6, lower: 0.5e-6, upper: 8e-6, scope: 'software', sourced: false,
    source: 'unsourced ("a few µs" per kernel inside a CUDA graph): fitted',
  },
  {
    key: 'collectives[nccl_p2p_all_to_all].alpha_s',
    prior: 19.2e-6, lower: 8e-6, upper: 100e-6, scope: 'software', sourced: true,
    source: 'prior: NCCL small-message start-up, 19.2 µs (ByteDance-Seed/Triton-distributed #57); all_to_all_single runs 2(n−1) grouped P2P operations, so fitted',
  },
  {
    key: 'collectives[nccl_nvls].bus_bytes_per_s',
    prior: 471e9, lower: 250e9, upper: 480e9, scope: 'software', sourced: true,
    source: 'prior: [D] the line through two 8×H100 NCCL all-reduces (Triton-distributed #57, marin #6736); upper bound the NVLS peak ~480 GB/s (nccl-tests #212); vLLM sets NCCL_CUMEM_ENABLE=0 on one node (vllm/env_override.py), which NVLS relies on, so the large-message line is fitted',
  },
  {
    key: 'engine.iteration_s',
    prior: 1.8e-3, lower: 0.3e-3, upper: 4e-3, scope: 'software', sourced: true,
    source: 'prior: [D] vLLM V1 small-model TPOT floor 2.73 ms (vllm PR #17866) less a ~0.9 ms weight read',
  },
  {
    key: 'engine.per_worker_s',
    prior: 0.1e-3, lower: 0, upper: 1e-3, scope: 'software', sourced: false,
    source: 'unsourced (the scheduler output is broadcast to every GPU worker of an engine): fitted',
  },
  {
    key: 'engine.per_seq_s',
    prior: 14.5e-6, lower: 2e-6, upper: 40e-6, scope: 'software', sourced: true,
    source: 'prior: [D] 5–6 ms between decode steps at batch 256 before async scheduling (vllm PR #11133): (5.5 − 1.8) ms / 256',
  },
  {
    key: 'engine.frontend_s',
    prior: 20e-3, lower: 0, upper: 60e-3, scope: 'software', sourced: false,
    source: 'unsourced (API server, tokenizing, streaming the first token; CALIBRATION §5 puts the API server at a third of V0’s time): fitted',
  },
];
