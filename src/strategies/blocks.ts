import type { GroupComm } from '../comm/types.ts';
import type { HeadShard } from '../kv/heads.ts';
import { ropeInverseFrequencies } from '../model/rope.ts';
import type { FlatBatch } from './batch.ts';
import { type LayerShard, type ModelShard, endWeight } from './shard.ts';
import type { RankContext } from './types.ts';

/**
 * The pieces of a decoder layer every strategy shares. Shapes for one rank holding hq query
 * heads and g KV heads of its attention block, over N tokens (see model/config.ts for letters).
 */

/** Split QKV, normalise and rotate q/k, write this step's KV, attend: [N, (hq+2g)·d] → [N, hq·d]. */
export function attend<T, C>(ctx: RankContext<T, C>, w: LayerShard<T>, layer: number, qkv: T, heads: HeadShard, flat: FlatBatch, cache: C): T {
  const { ops, model: m } = ctx;
  const d = m.headDim;
  const hq = heads.qHeads.length;
  const g = heads.kvHeads.length;
  let q = ops.sliceCols(qkv, 0, hq * d); //         [N, hq·d]
  let k = ops.sliceCols(qkv, hq * d, g * d); //      [N, g·d]
  const v = ops.sliceCols(qkv, (hq + g) * d, g * d); // [N, g·d]
  if (w.qNorm && w.kNorm) {
    q = ops.rmsNorm(q, w.qNorm, m.rmsEps);
    k = ops.rmsNorm(k, w.kNorm, m.rmsEps);
  }
  const invFreq = ropeInverseFrequencies(m);
  q = ops.rope(q, flat.positions, invFreq);
  k = ops.rope(k, flat.positions, invFreq);
  ops.writeKv(cache, layer, k, v, flat.slots);
  return ops.attention(q, cache, layer, {
    seqs: flat.seqs,
    blockSize: ctx.blockSize,
    qHeads: hq,
    kvHeads: g,
    headDim: d,
    scale: 1 / Math.sqrt(d),
  });
}

/** SwiGLU MLP on normalised input; the result is this rank's partial sum: [n, H] → [n, H]. */
export function mlp<T, C>(ctx: RankContext<T, C>, w: LayerShard<T>, h: T): T {
  const { ops } = ctx;
  return ops.matmul(ops.siluMul(ops.matmul(h, w.wGateUp)), w.wDown);
}

/**
 * The decoder layers of `shard` over a TP group: column-parallel QKV and gate/up, row-parallel O
 * and down, two all-reduces of [N, H] per layer. Cache layer l is the shard's l-th layer.
 */
export function tpLayers<T, C>(ctx: RankContext<T, C>, shard: ModelShard<T>, group: GroupComm<T>, heads: HeadShard, x: T, flat: FlatBatch, cache: C): T {
  const { ops, model: m } = ctx;
  shard.layers.forEach((w, l) => {
    x = ops.scope(() => {
      const qkv = ops.matmul(ops.rmsNorm(x, w.attnNorm, m.rmsEps), w.wqkv); // [N, (hq+2g)·d]
      const a = attend(ctx, w, l, qkv, heads, flat, cache); //               [N, hq·d]
      const y = ops.add(x, group.allReduce(ops.matmul(a, w.wo))); //         [N, H]
      return ops.add(y, group.allReduce(mlp(ctx, w, ops.rmsNorm(y, w.mlpNorm, m.rmsEps))));
    });
  });
  return x;
}

/** Final norm and the vocab-parallel LM head, gathered over `group`: [B, H] → [B, V]. */
export function lmHead<T, C>(ctx: RankContext<T, C>, shard: ModelShard<T>, group: GroupComm<T>, rows: T): T {
  const { ops, model: m } = ctx;
  const part = ops.matmul(ops.rmsNorm(rows, endWeight(shard, 'finalNorm'), m.rmsEps), endWeight(shard, 'lmHead')); // [B, V/n]
  const n = group.ranks.length;
  return n === 1 ? part : ops.rowBlocksToCols(group.allGather(part), n); //           [B, V]
}
