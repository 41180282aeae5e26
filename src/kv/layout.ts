import type { ModelConfig } from '../model/config.ts';
import { type FullTpOrder, fullTpGroup, spIndex, tpIndex } from '../parallel/groups.ts';
import { type Mode, ParallelConfigError, describeMode, modeWorld, validateMode } from '../parallel/mode.ts';
import { type HeadShard, attentionPosition, attentionShard } from './heads.ts';

/**
 * The KV layout of a deployment: which heads each rank owns and how its paged cache is indexed.
 *
 *   every rank, every layer, K and V each:   cache [slots, g_r, d]     g_r: the rank's KV heads
 *   slot = block · blockSize + offset        block: from the sequence's block table
 *
 *   TP, SP, Shift (one pool):                DP = 2 replicas × TP 2 (one pool per replica):
 *     seq 7 table [4, 9] on every rank          seq 7 (replica 1) table [4, 9] in pool 1,
 *     rank 0: slots of seq 7, KV head 0         on ranks 2, 3 only; ranks 0, 1 hold none
 *     rank 1: slots of seq 7, KV head 1         of it (their pool 0 has its own tables)
 *
 *   Shift on P = 4 (s = 2, t = 2), tiny (8 q heads, 2 KV heads, 2 copies each):
 *     rank (i,j)   SP=2×TP=2 head block j·s+i   TP=4 position in [0,2,1,3]   KV head (copy)
 *     0   (0,0)            0                              0                      0 (0)
 *     1   (0,1)            2                              2                      1 (0)
 *     2   (1,0)            1                              1                      0 (1)
 *     3   (1,1)            3                              3                      1 (1)
 */
export interface LayoutSpec {
  readonly mode: Mode;
  /** The SP × TP grid whose full-TP group orders the ranks of a 'tp' mode (Shift's base); default 1 × P. */
  readonly grid?: { readonly sp: number; readonly tp: number };
  /** Order of that full-TP group (default 'full-tp', SHIFT.md's). */
  readonly order?: FullTpOrder;
}

/** One rank's share: its heads (a HeadShard), the block pool indexing its cache, and why. */
export interface RankKv extends HeadShard {
  readonly rank: number;
  /** The block pool whose tables index this rank's cache: 0 when all ranks share tables, the replica in DP. */
  readonly pool: number;
  /** How the rank came to own these heads, for explanations. */
  readonly where: string;
}

export interface KvLayout {
  /** The mode as a person would name it, e.g. 'SP=2×TP=2' or 'TP=4 in naive order [0,1,2,3]'. */
  readonly label: string;
  readonly world: number;
  /** The model's query heads h and KV heads g. */
  readonly heads: number;
  readonly kvHeads: number;
  /** Independent block pools (DP replicas); 1 when every rank shares the block tables. */
  readonly pools: number;
  readonly ranks: readonly RankKv[];
}

/** The slot of position `pos` of a sequence with block table `table`. */
export function slotOf(table: readonly number[], pos: number, blockSize: number): number {
  return table[Math.floor(pos / blockSize)]! * blockSize + (pos % blockSize);
}

/** Shape of one layer's K (or V) cache on a rank: [slots, g_r, d]. */
export function cacheShape(r: RankKv, slots: number, headDim: number): [number, number, number] {
  return [slots, r.kvHeads.length, headDim];
}

export function describeSpec(spec: LayoutSpec): string {
  const { mode, grid } = spec;
  if (mode.kind !== 'tp' || !grid || grid.tp === 1) return describeMode(mode);
  const order = spec.order ?? 'full-tp';
  return `${describeMode(mode)} in ${order} order [${fullTpGroup(grid.sp, grid.tp, order).join(',')}]`;
}

/** The layout of `spec` for `model`; throws ParallelConfigError naming the numbers when it cannot exist. */
export function kvLayout(model: ModelConfig, spec: LayoutSpec): KvLayout {
  const { mode } = spec;
  const P = modeWorld(mode);
  validateMode(model, mode, P);
  const grid = spec.grid ?? { sp: 1, tp: P };
  if (mode.kind === 'tp' && grid.sp * grid.tp !== P) {
    throw new ParallelConfigError(`the full-TP group of SP=${grid.sp}×TP=${grid.tp} has ${grid.sp * grid.tp} ranks, but ${describeMode(mode)} has ${P}`);
  }
  const order = spec.order ?? 'full-tp';
  const ranks = Array.from({ length: P }, (_, r): RankKv => ({
    rank: r,
    ...attentionShard(model, r, mode, grid, order),
    pool: mode.kind === 'dp' ? Math.floor(r / mode.tp) : 0,
    where: whereOf(r, mode, grid, order),
  }));
  return { label: describeSpec(spec), world: P, heads: model.heads, kvHeads: model.kvHeads, pools: mode.kind === 'dp' ? mode.replicas : 1, ranks };
}

function whereOf(r: number, mode: Mode, grid: { sp: number; tp: number }, order: FullTpOrder): string {
  const { p } = attentionPosition(r, mode, grid, order);
  switch (mode.kind) {
    case 'tp':
      return `position ${p} of the full-TP group [${fullTpGroup(grid.sp, grid.tp, order).join(',')}]`;
    case 'sp': {
      const [i, j] = [spIndex(r, mode.tp), tpIndex(r, mode.tp)];
      return `head block j·s+i = ${j}·${mode.sp}+${i} = ${p} after the all-to-all`;
    }
    case 'dp':
      return `TP position ${p} of replica ${Math.floor(r / mode.tp)}`;
  }
}

/**
 * A layout from what the ranks report (the heads their weights were sharded for), rank r in
 * pool ⌊r / (P / pools)⌋. Used by the executor, so a wrongly sharded rank is seen as it is.
 */
export function layoutFromShards(model: ModelConfig, label: string, shards: readonly HeadShard[], pools: number): KvLayout {
  const perPool = shards.length / pools;
  const ranks = shards.map((s, r): RankKv => ({
    rank: r,
    qHeads: [...s.qHeads],
    kvHeads: [...s.kvHeads],
    replicas: s.replicas,
    replica: s.replica,
    pool: Math.floor(r / perPool),
    where: 'as its weights were sharded',
  }));
  return { label, world: shards.length, heads: model.heads, kvHeads: model.kvHeads, pools, ranks };
}
