import { tpShard } from '../kv/heads.ts';
import type { ModelConfig } from '../model/config.ts';
import { type FullTpOrder, fullTpGroup, worldGroup } from '../parallel/groups.ts';
import { type Mode, ParallelConfigError, allLayers, checkDegrees, checkShards, groupOf, validateMode } from '../parallel/mode.ts';
import { lmHead, tpLayers } from './blocks.ts';
import { checkWorld } from './keys.ts';
import type { ModePart } from './part.ts';
import { rankModel } from './part.ts';
import { endWeight, loadShard } from './shard.ts';
import type { RankContext, Strategy } from './types.ts';

/**
 * TP over all P ranks in one group named 'full'. Its rank order is the full-TP group of an
 * SP = s × TP = t grid (TP index, then SP index; identity when t = 1, see groups.ts), so that
 * Shift's shift model owns the heads of its SP base; 'naive' order is only for the verifier.
 */
export function tpMode(model: ModelConfig, world: number, within?: { sp: number; tp: number }, order: FullTpOrder = 'full-tp'): Mode {
  const label = `TP=${world}`;
  checkDegrees(label, { tp: world });
  checkShards(model, label, world);
  const grid = within ?? { sp: 1, tp: world };
  if (grid.sp * grid.tp !== world) {
    throw new ParallelConfigError(`the full-TP group of SP=${grid.sp}×TP=${grid.tp} has ${grid.sp * grid.tp} ranks, but ${label} has ${world}`);
  }
  const full = fullTpGroup(grid.sp, grid.tp, order);
  const ranks = Array.from({ length: world }, (_, r) => r);
  return {
    id: 'tp',
    label,
    layoutLabel: !within || grid.tp === 1 ? label : `${label} in ${order} order [${full.join(',')}]`,
    world,
    tokenShards: 1,
    pools: 1,
    groups: ranks.map(() => [{ name: 'full', ranks: full }, worldGroup(world)]),
    kv: ranks.map((r) => {
      const p = full.indexOf(r);
      return { rank: r, ...tpShard(model, world, p), layers: allLayers(model), pool: 0, where: `position ${p} of the full-TP group [${full.join(',')}]` };
    }),
  };
}

/**
 * A tensor-parallel part over one group (all P ranks, or one DP replica): column-parallel QKV
 * and gate/up, row-parallel O and down, two all-reduces of [N, H] per layer.
 */
export function tpPart<T, C>(ctx: RankContext<T, C>, mode: Mode, groupName: string): ModePart<T, C> {
  const { ops } = ctx;
  const group = ctx.comm.group(groupOf(mode, ctx.rank, groupName));
  const heads = mode.kv[ctx.rank]!;
  const shard = loadShard(ctx, group.ranks.length, group.index, heads);
  return {
    mode,
    heads,
    forward(flat, cache) {
      const x = tpLayers(ctx, shard, group, heads, ops.embedding(endWeight(shard, 'embed'), flat.ids), flat, cache); // [N, H]
      if (flat.sampleRows.length === 0) return null;
      return lmHead(ctx, shard, group, ops.selectRows(x, flat.sampleRows)); //   [B, V]
    },
  };
}

export const tp: Strategy = {
  name: 'tp',
  summary: 'tensor parallelism over all P ranks (lowest latency; KV heads replicated when fewer than P)',
  configKeys: {},
  parallel(world, { sp, tp }) {
    checkWorld(world);
    if ((sp ?? 1) !== 1 || (tp ?? world) !== world) {
      throw new ParallelConfigError(`strategy tp runs TP = world = ${world}; got --sp ${sp ?? 1} --tp ${tp ?? world}`);
    }
    return { world, sp: 1, tp: world };
  },
  routed: false,
  modes(model, parallel) {
    const mode = tpMode(model, parallel.world);
    validateMode(mode, parallel.world);
    return [mode];
  },
  replicas: () => 1,
  createRank(ctx) {
    return rankModel(ctx, [tpPart(ctx, tpMode(ctx.model, ctx.parallel.world), 'full')], ctx.rank === 0);
  },
};
