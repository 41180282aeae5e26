import { attentionShard } from '../kv/heads.ts';
import { groupsOf } from '../parallel/groups.ts';
import { type Mode, validateMode } from '../parallel/mode.ts';
import { attend, lmHead, mlp } from './blocks.ts';
import type { ModePart } from './part.ts';
import { rankModel } from './part.ts';
import { loadShard } from './shard.ts';
import type { RankContext, Strategy } from './types.ts';

/**
 * A tensor-parallel part over one group (all P ranks, or one DP replica): column-parallel QKV
 * and gate/up, row-parallel O and down, two all-reduces of [N, H] per layer.
 */
export function tpPart<T, C>(ctx: RankContext<T, C>, mode: Mode & { kind: 'tp' | 'dp' }, base: { sp: number; tp: number }): ModePart<T, C> {
  const { ops, model: m } = ctx;
  const group = ctx.comm.group(groupsOf(ctx.rank, mode, base, ctx.order)[0]!);
  const heads = attentionShard(m, ctx.rank, mode, base, ctx.order);
  const shard = loadShard(ctx, group.ranks.length, group.index, heads);
  return {
    mode,
    heads,
    forward(flat, cache) {
      let x = ops.embedding(shard.embed, flat.ids); //                        [N, H]
      shard.layers.forEach((w, l) => {
        x = ops.scope(() => {
          const qkv = ops.matmul(ops.rmsNorm(x, w.attnNorm, m.rmsEps), w.wqkv); // [N, (hq+2g)·d]
          const a = attend(ctx, w, l, qkv, heads, flat, cache); //               [N, hq·d]
          const y = ops.add(x, group.allReduce(ops.matmul(a, w.wo))); //         [N, H]
          return ops.add(y, group.allReduce(mlp(ctx, w, ops.rmsNorm(y, w.mlpNorm, m.rmsEps))));
        });
      });
      if (flat.sampleRows.length === 0) return null;
      return lmHead(ctx, shard, group, ops.selectRows(x, flat.sampleRows)); //   [B, V]
    },
  };
}

export const tp: Strategy = {
  name: 'tp',
  summary: 'tensor parallelism over all P ranks (lowest latency; KV heads replicated when fewer than P)',
  modes(model, parallel) {
    const mode: Mode = { kind: 'tp', tp: parallel.world };
    validateMode(model, mode, parallel.world);
    return [mode];
  },
  replicas: () => 1,
  createRank(ctx) {
    const mode = { kind: 'tp', tp: ctx.parallel.world } as const;
    return rankModel(ctx, [tpPart(ctx, mode, { sp: 1, tp: ctx.parallel.world })], ctx.rank === 0);
  },
};
