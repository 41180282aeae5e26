import type { ModelConfig } from '../model/config.ts';
import type { IterationCostModel } from './iteration.ts';
import { peakActivationBytes } from './price-records.ts';

/**
 * Where one GPU's memory goes, vLLM style (vllm/v1/worker/gpu_worker.py determine_available_memory):
 *
 *   memory × gpu_memory_utilization = weights + activation reserve + KV cache
 *
 *   weights      what rank 0's shard loads, counted on the meta backend (Shift: the SP base copy
 *                W/t plus the full-TP copy W/(s·t))
 *   activations  the peak of a profile run: one forward of max_num_batched_tokens spread over
 *                max_num_seqs sequences, in every mode (ArcticInference's profile_run also runs
 *                the shift model at the maximum token count)
 *   KV           the rest, in blocks of block_size tokens; a token costs
 *                layers · 2 · (KV heads this GPU stores, after replication) · d · kv bytes
 *
 * All GPUs of an engine store the same token positions (different heads), so an engine's block
 * pool has as many blocks as one of its GPUs can hold; each DP replica has its own pool.
 */
export interface MemoryPlan {
  readonly memoryBytes: number;
  readonly usableBytes: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly kvBytes: number;
  /** KV bytes one token occupies on one GPU. */
  readonly kvBytesPerToken: number;
  readonly blockSize: number;
  /** Blocks in one engine's pool (per DP replica). */
  readonly blocks: number;
}

export interface MemoryOptions {
  readonly model: ModelConfig;
  readonly memoryBytes: number;
  readonly kvElementBytes: number;
  readonly gpuMemoryUtilization: number;
  readonly maxNumBatchedTokens: number;
  readonly maxNumSeqs: number;
  readonly blockSize: number;
  /** vLLM's num_gpu_blocks_override: use this many blocks whatever the memory says (tests). */
  readonly blocksOverride?: number;
}

export class MemoryPlanError extends Error {
  override readonly name = 'MemoryPlanError';
}

const GB = 1e9;

export function planMemory(cost: IterationCostModel, o: MemoryOptions): MemoryPlan {
  const usableBytes = o.memoryBytes * o.gpuMemoryUtilization;
  const weightBytes = cost.weightBytes();
  const activationBytes = Math.max(
    ...cost.modes.map((_, i) => {
      const tokens = cost.paddedTokens(i, o.maxNumBatchedTokens);
      const records = cost.trace(1, i, tokens, Math.min(o.maxNumSeqs, o.maxNumBatchedTokens));
      return peakActivationBytes(records, o.model.hidden, cost.attentionHeads(i).actBytes);
    }),
  );
  const kvHeads = cost.attentionHeads(0).kvHeads;
  const kvBytesPerToken = o.model.layers * 2 * kvHeads * o.model.headDim * o.kvElementBytes;
  const kvBytes = usableBytes - weightBytes - activationBytes;
  const blocks = o.blocksOverride ?? Math.floor(kvBytes / (kvBytesPerToken * o.blockSize));
  if (blocks < 1) {
    throw new MemoryPlanError(
      `${o.model.name} does not fit: weights ${(weightBytes / GB).toFixed(1)} GB + activation reserve ` +
        `${(activationBytes / GB).toFixed(1)} GB per GPU leave ${(kvBytes / GB).toFixed(1)} GB for the KV cache out of ` +
        `${(usableBytes / GB).toFixed(1)} GB (memory × gpu_memory_utilization ${o.gpuMemoryUtilization}); use FP8 weights, ` +
        'more tensor parallelism, a smaller max_num_batched_tokens or a higher gpu_memory_utilization',
    );
  }
  return { memoryBytes: o.memoryBytes, usableBytes, weightBytes, activationBytes, kvBytes, kvBytesPerToken, blockSize: o.blockSize, blocks };
}
