import type { z } from 'zod';
import type { Comm } from '../comm/types.ts';
import type { CostShape } from '../parallel/cost-shape.ts';
import type { Verdict } from '../kv/verify.ts';
import type { HeadShard } from '../kv/heads.ts';
import type { Batch } from '../model/batch.ts';
import type { ModelConfig } from '../model/config.ts';
import type { WeightSource } from '../model/weights.ts';
import type { Ops } from '../ops/types.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import type { Mode, ModeId, ModeRoles } from '../parallel/mode.ts';

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

/** The degrees a config gave a strategy, by config key (e.g. sp, tp); each module reads its own. */
export type DegreeKeys = { readonly [key: string]: number | undefined };

/**
 * What a strategy with several modes declares for switching: the mode ids a policy may choose
 * among, the proof that a switch keeps every rank's KV, and what reports show of it.
 */
export interface SwitchingBlock {
  /** Mode ids policies choose among, as `modes` declares them. */
  readonly modes: readonly ModeId[];
  /** Which of `modes` built-in policies pick for small iterations (latency) and for large ones (throughput). */
  readonly roles: ModeRoles;
  /** The policy spec used when a config names none. */
  readonly defaultPolicy: string;
  /** The verdict on switching between the modes of this deployment (KV proof at each switch). */
  kvProof(model: ModelConfig, parallel: ParallelConfig, order?: FullTpOrder): Verdict;
  /** Report columns: the share of iterations run in `fractionOf`, under `header`. */
  readonly report: { readonly fractionOf: ModeId; readonly header: string };
}

/** A parallelization strategy: one file each, registered by name in registry.ts. */
export interface Strategy {
  readonly name: StrategyName;
  readonly summary: string;
  /**
   * Its config keys as a zod fragment (all optional; the experiment schema, `yarn exp keys` and
   * the docs are generated from these). Keys several strategies share are described per strategy.
   */
  readonly configKeys: Readonly<Record<string, z.ZodType>>;
  /** The deployment on `world` ranks from the degrees a config gave; throws ParallelConfigError naming them. */
  parallel(world: number, keys: DegreeKeys): ParallelConfig;
  /** The modes the strategy runs in (Shift: two); throws ParallelConfigError when invalid. */
  modes(model: ModelConfig, parallel: ParallelConfig, order?: FullTpOrder): Mode[];
  /** Independent KV pools (DP replicas), 1 otherwise. */
  replicas(parallel: ParallelConfig): number;
  /**
   * How per-rank times make an iteration's time in `mode` (default: synchronous, the slowest
   * rank); a pipeline's stages are also the batches the engine keeps in flight (cost-shape.ts).
   */
  costShape?(parallel: ParallelConfig, mode: Mode): CostShape;
  /** Whether requests are routed over replicas (a config may then choose a router). */
  readonly routed: boolean;
  /** Present when the strategy switches between modes per iteration. */
  readonly switching?: SwitchingBlock;
  /**
   * What `yarn verify-kv --strategy <name>` proves for a deployment on `world` ranks split SP s ×
   * TP t (Shift: its switch; DP: the contrast with TP P). `ordered`: whether --order applies.
   */
  readonly kvCheck?: {
    readonly describe: string;
    readonly ordered: boolean;
    verify(model: ModelConfig, world: number, split: { readonly sp: number; readonly tp: number }, order: FullTpOrder): Verdict;
  };
  createRank<T, C>(ctx: RankContext<T, C>): RankModel;
}

/** A registered strategy's name (registry.ts lists them). */
export type StrategyName = string;
