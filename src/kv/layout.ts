import type { ModelConfig } from '../model/config.ts';
import { type HeadShard, type LayerRange, type Mode, type RankKv, allLayers } from '../parallel/mode.ts';

export type { RankKv } from '../parallel/mode.ts';

/**
 * The KV layout of a deployment: which heads each rank owns and how its paged cache is indexed.
 *
 *   every rank, each layer it holds, K and V each:   cache [slots, g_r, d]     g_r: the rank's KV heads
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
export interface KvLayout {
  /** The mode as a person would name it, e.g. 'SP=2×TP=2' or 'TP=4 in naive order [0,1,2,3]'. */
  readonly label: string;
  readonly world: number;
  /** The model's query heads h and KV heads g. */
  readonly heads: number;
  readonly kvHeads: number;
  /** The model's layers L (a rank may hold a range of them). */
  readonly layers: number;
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

/** The KV layout of `mode` for `model`, as the strategy declared it. */
export function kvLayout(model: ModelConfig, mode: Mode): KvLayout {
  return { label: mode.layoutLabel, world: mode.world, heads: model.heads, kvHeads: model.kvHeads, layers: model.layers, pools: mode.pools, ranks: mode.kv };
}

/**
 * A layout from what the ranks report (the heads their weights were sharded for), rank r in
 * pool ⌊r / (P / pools)⌋. Used by the executor, so a wrongly sharded rank is seen as it is.
 */
export function layoutFromShards(model: ModelConfig, label: string, shards: readonly (HeadShard & { readonly layers?: LayerRange })[], pools: number): KvLayout {
  const perPool = shards.length / pools;
  const ranks = shards.map((s, r): RankKv => ({
    rank: r,
    layers: s.layers ?? allLayers(model),
    qHeads: [...s.qHeads],
    kvHeads: [...s.kvHeads],
    replicas: s.replicas,
    replica: s.replica,
    pool: Math.floor(r / perPool),
    where: 'as its weights were sharded',
  }));
  return { label, world: shards.length, heads: model.heads, kvHeads: model.kvHeads, layers: model.layers, pools, ranks };
}
