import type { ModelConfig } from '../model/config.ts';
import type { IterationCostModel } from './iteration.ts';
import { peakActivationBytes } from './price-records.ts';

/**
 * Where each GPU's memory goes, vLLM style (vllm/v1/worker/gpu_worker.py determine_available_memory):
 *
 *   memory × gpu_memory_utilization = weights + activation reserve + KV cache      (per rank)
 *
 *   weights      what the rank's shard loads, counted on the meta backend (Shift: the SP base
 *                copy W/t plus the full-TP copy W/(s·t))
 *   activations  the peak of a profile run: one forward of max_num_batched_tokens spread over
 *                max_num_seqs sequences, in every mode (ArcticInference's profile_run also runs
 *                the shift model at the maximum token count), on the rank's own trace
 *   KV           the rest, in blocks of block_size tokens; a token costs, on a rank,
 *                (layers whose KV it holds) · 2 · (KV heads it stores per layer, after
 *                replication) · d · kv bytes, the most over the modes (Shift's are equal)
 *
 * Every rank of an engine stores the same token positions (different heads or layers), so an
 * engine's block pool has as many blocks as its tightest rank can hold; each DP replica has its
 * own pool. A rank that holds no KV does not limit it. The ranks' KV holdings come from their
 * traces (the attention records: heads, and how many layers run attention), or from the mode's
 * KV layout when the caller passes them (MemoryOptions.holdings).
 *
 * Where every rank holds every layer (TP, SP, Shift, DP's busy replica) one rank stands for all;
 * a pipeline's stages hold L/S layers each and differ in the embedding and LM head they load.
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
  /** What each rank holds, from the mode's KV layout (default: read from the ranks' traces). */
  readonly holdings?: readonly RankKvHolding[];
}

/**
 * The KV one rank holds: what a mode's KV layout says about it (layers held, KV heads held per
 * layer). A mode that declares its layout per rank can provide these directly.
 */
export interface RankKvHolding {
  readonly rank: number;
  /** Layers whose KV the rank stores (every layer: the model's L). */
  readonly layers: number;
  /** KV heads it stores for each of those layers, after replication. */
  readonly kvHeads: number;
}

/** One rank's share of the memory plan. */
export interface RankMemory {
  readonly rank: number;
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly kvBytes: number;
  /** KV bytes one token occupies on this rank (0: it holds no KV). */
  readonly kvBytesPerToken: number;
  /** Blocks of KV it can hold (Infinity when it holds no KV). */
  readonly blocks: number;
}

export class MemoryPlanError extends Error {
  override readonly name = 'MemoryPlanError';
}

const GB = 1e9;

/** The KV each rank holds in every mode of `cost`, read from its traces (the most over the modes). */
export function kvHoldingsFromTraces(cost: IterationCostModel): RankKvHolding[] {
  return Array.from({ length: cost.world }, (_, rank) => {
    let best = { rank, layers: 0, kvHeads: 0 };
    cost.modes.forEach((_, i) => {
      const role = cost.roleOf(i, rank);
      const { heads, layers } = cost.roleAttention(i, role);
      if (heads && layers * heads.kvHeads > best.layers * best.kvHeads) best = { rank, layers, kvHeads: heads.kvHeads };
    });
    return best;
  });
}

/** Every rank's memory: weights, activation reserve, and the KV blocks the rest holds. */
export function rankMemory(cost: IterationCostModel, o: MemoryOptions): RankMemory[] {
  const usableBytes = o.memoryBytes * o.gpuMemoryUtilization;
  const holdings = o.holdings ?? kvHoldingsFromTraces(cost);
  // The profile run's peak, per mode and role.
  const peaks = cost.modes.map((_, i) => {
    const tokens = cost.paddedTokens(i, o.maxNumBatchedTokens);
    const actBytes = cost.attentionHeads(i).actBytes;
    return cost.traceRoles(cost.layerUnit(i), i, tokens, Math.min(o.maxNumSeqs, o.maxNumBatchedTokens)).map((r) => ({ ranks: r.ranks, peak: peakActivationBytes(r.records, o.model.hidden, actBytes) }));
  });
  // Ranks in the same role in every mode run the same GEMMs on the same weight shapes, so their
  // weights are counted once (building a full-model rank on the meta backend is what costs here).
  const weights = new Map<string, number>();
  const weightsOf = (rank: number): number => {
    const key = cost.modes.map((_, i) => cost.roleOf(i, rank)).join(',');
    let w = weights.get(key);
    if (w === undefined) {
      w = cost.weightBytes(rank);
      weights.set(key, w);
    }
    return w;
  };
  return holdings.map(({ rank, layers, kvHeads }) => {
    const weightBytes = weightsOf(rank);
    const activationBytes = Math.max(...peaks.map((roles, i) => roles[cost.roleOf(i, rank)]?.peak ?? 0));
    const kvBytesPerToken = layers * 2 * kvHeads * o.model.headDim * o.kvElementBytes;
    const kvBytes = usableBytes - weightBytes - activationBytes;
    const blocks = kvBytesPerToken > 0 ? Math.floor(kvBytes / (kvBytesPerToken * o.blockSize)) : Infinity;
    return { rank, weightBytes, activationBytes, kvBytes, kvBytesPerToken, blocks };
  });
}

export function planMemory(cost: IterationCostModel, o: MemoryOptions): MemoryPlan {
  const usableBytes = o.memoryBytes * o.gpuMemoryUtilization;
  const ranks = rankMemory(cost, o);
  // The tightest rank limits the engine's pool (the lowest rank among equals).
  const tightest = ranks.reduce((a, r) => (r.blocks < a.blocks ? r : a));
  const { weightBytes, activationBytes, kvBytes, kvBytesPerToken } = tightest;
  const blocks = o.blocksOverride ?? tightest.blocks;
  const where = ranks.some((r) => r.blocks !== tightest.blocks) ? ` on rank ${tightest.rank}, the tightest,` : '';
  if (blocks < 1) {
    throw new MemoryPlanError(
      `${o.model.name} does not fit: weights ${(weightBytes / GB).toFixed(1)} GB + activation reserve ` +
        `${(activationBytes / GB).toFixed(1)} GB per GPU${where} leave ${(kvBytes / GB).toFixed(1)} GB for the KV cache out of ` +
        `${(usableBytes / GB).toFixed(1)} GB (memory × gpu_memory_utilization ${o.gpuMemoryUtilization}); use FP8 weights, ` +
        'more tensor parallelism, a smaller max_num_batched_tokens or a higher gpu_memory_utilization',
    );
  }
  return { memoryBytes: o.memoryBytes, usableBytes, weightBytes, activationBytes, kvBytes, kvBytesPerToken, blockSize: o.blockSize, blocks };
}
