import { tpShard } from '../kv/heads.ts';
import { type Verdict, verifyInvariance } from '../kv/verify.ts';
import type { ModelConfig } from '../model/config.ts';
import { tpGroup, tpIndex, worldGroup } from '../parallel/groups.ts';
import { type LayerRange, type Mode, ParallelConfigError, checkDegrees, checkShards, groupOf, validateMode } from '../parallel/mode.ts';
import { lmHead, tpLayers } from './blocks.ts';
import { degreeKey, positive, resolveModel, resolveTpUnits } from './keys.ts';
import { type ModePart, rankModel } from './part.ts';
import { endWeight, loadShard } from './shard.ts';
import type { RankContext, Strategy } from './types.ts';

/**
 * Pipeline parallelism: S = P / t stages, each a TP group of t contiguous ranks (rank r is TP
 * position r mod t of stage ⌊r / t⌋) holding a contiguous range of layers and only their KV.
 *
 *   P = 8, t = 2, L = 80:   stage 0 ranks [0,1] layers [0, 20)     stage 2 ranks [4,5] [40, 60)
 *                           stage 1 ranks [2,3] layers [20, 40)    stage 3 ranks [6,7] [60, 80)
 *
 * Stage k's layers are [⌊k·L/S⌋, ⌊(k+1)·L/S⌋): contiguous, and as even as L allows.
 */
function stageLayers(model: ModelConfig, stages: number, k: number): LayerRange {
  return { start: Math.floor((k * model.layers) / stages), end: Math.floor(((k + 1) * model.layers) / stages) };
}

export function ppMode(model: ModelConfig, stages: number, t: number): Mode {
  const label = `PP=${stages}×TP=${t}`;
  checkDegrees(label, { stages, tp: t });
  checkShards(model, label, t);
  if (stages > model.layers) {
    throw new ParallelConfigError(`${label}: ${model.name} has ${model.layers} layers, too few for ${stages} pipeline stages of at least one layer each`);
  }
  const P = stages * t;
  const ranks = Array.from({ length: P }, (_, r) => r);
  return {
    id: 'pp',
    label,
    layoutLabel: label,
    world: P,
    tokenShards: 1,
    pools: 1,
    groups: ranks.map((r) => [{ name: 'tp', ranks: tpGroup(r, t) }, worldGroup(P)]),
    kv: ranks.map((r) => {
      const [k, j] = [Math.floor(r / t), tpIndex(r, t)];
      const layers = stageLayers(model, stages, k);
      return { rank: r, ...tpShard(model, t, j), layers, pool: 0, where: `TP position ${j} of stage ${k} (layers [${layers.start}, ${layers.end}))` };
    }),
  };
}

/**
 * One rank of a stage. Stage 0 embeds the tokens; every later stage receives the activations
 * [N, H] from the rank at its TP position in the stage before (point-to-point), runs its layers
 * as a TP group (two all-reduces per layer), and hands [N, H] on; the last stage applies the
 * final norm and the LM head, and its first rank reports the logits.
 */
function ppPart<T, C>(ctx: RankContext<T, C>, mode: Mode, stages: number, t: number): ModePart<T, C> {
  const { ops, model: m, rank } = ctx;
  const group = ctx.comm.group(groupOf(mode, rank, 'tp'));
  const heads = mode.kv[rank]!;
  const k = Math.floor(rank / t);
  const shard = loadShard(ctx, t, tpIndex(rank, t), heads, heads.layers);
  const last = k === stages - 1;
  return {
    mode,
    heads,
    forward(flat, cache) {
      const N = flat.ids.length;
      const input = k === 0 ? ops.embedding(endWeight(shard, 'embed'), flat.ids) : ctx.comm.recv([N, m.hidden], rank - t); // [N, H]
      // Cache layer l is model layer heads.layers.start + l (part.ts).
      const x = tpLayers(ctx, shard, group, heads, input, flat, cache);
      if (!last) {
        ctx.comm.send(x, rank + t); //                                           [N, H] to stage k + 1
        return null;
      }
      if (flat.sampleRows.length === 0) return null;
      return lmHead(ctx, shard, group, ops.selectRows(x, flat.sampleRows)); //   [B, V]
    },
  };
}

/** Stages S = world / t of a deployment (ParallelConfig carries t; S·t = world by construction). */
function stagesOf(parallel: { readonly world: number; readonly tp: number }): number {
  return parallel.world / parallel.tp;
}

export const pp: Strategy = {
  name: 'pp',
  summary: 'pipeline parallelism: P/t stages of TP t, each holding a contiguous layer range and its KV (activations point-to-point, a batch per stage in flight)',
  configKeys: { tp: degreeKey('TP degree t of each pipeline stage; stages = world / t; default 1') },
  parallel: (world, keys) => resolveTpUnits('pp', 'pipeline stages', world, keys),
  routed: false,
  modes(model, parallel) {
    const mode = ppMode(model, stagesOf(parallel), parallel.tp);
    validateMode(mode, parallel.world);
    return [mode];
  },
  replicas: () => 1,
  costShape(parallel) {
    const t = parallel.tp;
    return { kind: 'pipeline', stages: Array.from({ length: stagesOf(parallel) }, (_, k) => tpGroup(k * t, t)) };
  },
  kvCheck: {
    describe: 'PP P/t×TP t: every (layer, KV head) on the ranks of its stage only, every query head of every layer on one rank',
    ordered: false,
    verify: (model, world, { tp }) => verifyPipelineLayout(model, world, tp),
  },
  createRank(ctx) {
    const t = ctx.parallel.tp;
    const S = stagesOf(ctx.parallel);
    return rankModel(ctx, [ppPart(ctx, ppMode(ctx.model, S, t), S, t)], ctx.rank === (S - 1) * t);
  },
};

/**
 * Verdict on the PP layout of `world / tp` stages of TP `tp`: the verifier's coverage check over
 * its layer axis (every KV head of every layer stored, every query head of every layer on exactly
 * one rank, layer ranges inside the model) on the layout compared with itself, as PP never switches.
 */
export function verifyPipelineLayout(model: ModelConfig | string, world: number, tp: number): Verdict {
  const m = resolveModel(model);
  const names = { a: `PP=${world / tp}×TP=${tp}`, b: `PP=${world / tp}×TP=${tp}` };
  const bad = positive({ world, tp });
  if (bad) return { verdict: 'refused', ...names, reason: `PP layout: ${bad}` };
  if (world % tp !== 0) return { verdict: 'refused', ...names, reason: `pipeline stages of TP ${tp} do not divide the world size ${world}` };
  return verifyInvariance(m, names, () => [ppMode(m, world / tp, tp), ppMode(m, world / tp, tp)]);
}
