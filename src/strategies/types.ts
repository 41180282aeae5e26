import type { Comm } from '../comm/types.ts';
import type { CostShape } from '../parallel/cost-shape.ts';
import type { HeadShard } from '../kv/heads.ts';
import type { Batch } from '../model/batch.ts';
import type { ModelConfig } from '../model/config.ts';
import type { WeightSource } from '../model/weights.ts';
import type { Ops } from '../ops/types.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import type { Mode } from '../parallel/mode.ts';

/** The deployment: world size and the (s, t) of SP-based strategies (s = 1 otherwise). */
export interface ParallelConfig {
  readonly world: number;
  readonly sp: number;
  readonly tp: number;
}

export interface RankContext<T, C> {
  readonly rank: number;
  readonly ops: Ops<T, C>;
  readonly comm: Comm<T>;
  readonly model: ModelConfig;
  readonly weights: WeightSource;
  readonly parallel: ParallelConfig;
  readonly kvBlocks: number;
  readonly blockSize: number;
  /** Rank order of the full-TP group; only the verifier's tests set 'naive'. */
  readonly order: FullTpOrder;
}

export interface RankOutput {
  /** Logits [B, V] of the sampling sequences this rank reports (lead ranks only). */
  readonly logits?: { readonly seqIds: readonly number[]; readonly data: Float32Array; readonly vocab: number };
}

/** The part of a strategy that runs on each rank. */
export interface RankModel {
  forward(batch: Batch, mode: Mode): RankOutput;
  /** The heads whose KV this rank reads and writes in `mode`, as its weights were sharded. */
  kvHeads(mode: Mode): HeadShard;
  /** The rank's KV cache contents (debug checksums). */
  readKv(): Float32Array;
}

/** A parallelization strategy: one file each, registered by name. */
export interface Strategy {
  readonly name: StrategyName;
  readonly summary: string;
  /** The modes the strategy runs in (Shift: two); throws ParallelConfigError when invalid. */
  modes(model: ModelConfig, parallel: ParallelConfig): Mode[];
  /** Independent KV pools (DP replicas), 1 otherwise. */
  replicas(parallel: ParallelConfig): number;
  /** Batches an engine keeps in flight (pipeline stages); 1 when absent. */
  batchesInFlight?(parallel: ParallelConfig): number;
  /** How per-rank times make an iteration's time in `mode` (default: synchronous, the slowest rank). */
  costShape?(parallel: ParallelConfig, mode: Mode): CostShape;
  createRank<T, C>(ctx: RankContext<T, C>): RankModel;
}

export type StrategyName = 'tp' | 'dp' | 'sp' | 'shift';
