import { tpShard } from '../kv/heads.ts';
import { type Verdict, verifyInvariance } from '../kv/verify.ts';
import type { ModelConfig } from '../model/config.ts';
import { tpGroup, tpIndex, worldGroup } from '../parallel/groups.ts';
import { type Mode, allLayers, checkDegrees, checkShards, validateMode } from '../parallel/mode.ts';
import { degreeKey, positive, resolveModel, resolveTpUnits } from './keys.ts';
import { rankModel } from './part.ts';
import { tpMode, tpPart } from './tp.ts';
import type { Strategy } from './types.ts';

/**
 * Data parallelism: P / t independent replicas, each a TP group of t contiguous ranks with its
 * own KV pool. A sequence lives on one replica, so the KV layout is per request, not per head.
 */
export function dpMode(model: ModelConfig, replicas: number, t: number): Mode {
  const label = `DP=${replicas}×TP=${t}`;
  checkDegrees(label, { replicas, tp: t });
  checkShards(model, label, t);
  const P = replicas * t;
  const ranks = Array.from({ length: P }, (_, r) => r);
  return {
    id: 'dp',
    label,
    layoutLabel: label,
    world: P,
    tokenShards: 1,
    pools: replicas,
    groups: ranks.map((r) => [{ name: 'tp', ranks: tpGroup(r, t) }, worldGroup(P)]),
    kv: ranks.map((r) => {
      const p = tpIndex(r, t);
      const replica = Math.floor(r / t);
      return { rank: r, ...tpShard(model, t, p), layers: allLayers(model), pool: replica, where: `TP position ${p} of replica ${replica}` };
    }),
  };
}

export const dp: Strategy = {
  name: 'dp',
  summary: 'data parallelism: P/t independent replicas of TP t (highest throughput, per-request KV)',
  configKeys: { tp: degreeKey('TP degree t of each replica; default 1') },
  parallel: (world, keys) => resolveTpUnits('dp', 'DP replicas', world, keys),
  routed: true,
  kvCheck: {
    describe: 'DP P/t×TP t against TP P (per-request against per-head KV)',
    ordered: false,
    verify: (model, world, { tp }) => verifyDpAgainstTp(model, world, tp),
  },
  modes(model, parallel) {
    const mode = dpMode(model, parallel.world / parallel.tp, parallel.tp);
    validateMode(mode, parallel.world);
    return [mode];
  },
  replicas: (parallel) => parallel.world / parallel.tp,
  createRank(ctx) {
    const t = ctx.parallel.tp;
    const part = tpPart(ctx, dpMode(ctx.model, ctx.parallel.world / t, t), 'tp');
    return rankModel(ctx, [part], ctx.rank % t === 0, Math.floor(ctx.rank / t));
  },
};

/** Verdict on switching between DP (world / tp replicas of TP tp) and TP = world: per-request vs per-head. */
export function verifyDpAgainstTp(model: ModelConfig | string, world: number, tp = 1): Verdict {
  const m = resolveModel(model);
  const bad = positive({ world, tp });
  const names = { a: `DP=${world / tp}×TP=${tp}`, b: `TP=${world}` };
  if (bad) return { verdict: 'refused', ...names, reason: `DP against TP: ${bad}` };
  if (world % tp !== 0) return { verdict: 'refused', ...names, reason: `DP replicas of TP ${tp} do not divide the world size ${world}` };
  return verifyInvariance(m, names, () => [dpMode(m, world / tp, tp), tpMode(m, world)]);
}
