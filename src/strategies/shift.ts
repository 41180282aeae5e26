import { KvLayoutError } from '../kv/switch-check.ts';
import { type Verdict, verifyInvariance } from '../kv/verify.ts';
import type { ModelConfig } from '../model/config.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { type Mode, validateMode } from '../parallel/mode.ts';
import { rankModel } from './part.ts';
import { positive, resolveModel, resolveSpTp } from './keys.ts';
import { SP_KEYS, spMode, spPart } from './sp.ts';
import { tpMode, tpPart } from './tp.ts';
import type { ParallelConfig } from './types.ts';
import type { Strategy } from './types.ts';

/**
 * Shift parallelism: the SP (s, t) base model plus a second copy of the weights sharded
 * TP = s·t over the full-TP group (TP index, then SP index), both bound to one KV cache per
 * rank. Because rank (i, j) owns head block j·s + i in both, a switch moves no KV. The mode
 * of each iteration comes from the executor's switching policy.
 */
/** Shift's two modes on one KV cache: the SP (s, t) base first, then TP = s·t over the full-TP group of that grid. */
export function shiftModes(model: ModelConfig, parallel: ParallelConfig, order: FullTpOrder = 'full-tp'): [base: Mode, full: Mode] {
  const grid = { sp: parallel.sp, tp: parallel.tp };
  return [spMode(model, grid.sp, grid.tp), tpMode(model, parallel.world, grid, order)];
}

export const shift: Strategy = {
  name: 'shift',
  summary: 'Shift: SP=s × TP=t base model and a TP=s·t shift model over one KV cache, switched per iteration',
  configKeys: SP_KEYS,
  parallel: resolveSpTp,
  routed: false,
  switching: {
    modes: ['sp', 'tp'],
    // The full-TP shift model has the lower latency; the SP base model the higher throughput.
    roles: { latency: 'tp', throughput: 'sp' },
    defaultPolicy: 'threshold:512',
    kvProof: (model, parallel, order) => verifyShiftDeployment(model, parallel.world, parallel.sp, parallel.tp, order),
    report: { fractionOf: 'tp', header: 'TP iters' },
  },
  kvCheck: {
    describe: 'SP s×TP t against TP P',
    ordered: true,
    verify: (model, world, { sp, tp }, order) => verifyShiftDeployment(model, world, sp, tp, order),
  },
  modes(model, parallel, order) {
    const modes = shiftModes(model, parallel, order);
    for (const mode of modes) validateMode(mode, parallel.world);
    return modes;
  },
  replicas: () => 1,
  createRank(ctx) {
    const { sp: s, tp: t } = ctx.parallel;
    const [base, full] = shiftModes(ctx.model, ctx.parallel, ctx.order);
    return rankModel(ctx, [spPart(ctx, base, s, t), tpPart(ctx, full, 'full')], ctx.rank === 0);
  },
};

/**
 * Verdict on Shift with SP = sp, TP = tp on `world` ranks: 'invariant' (with the per-rank
 * proof), 'moves' (with a counterexample) or 'refused' (the config cannot exist, e.g. s·t ≠ P).
 * Throws ModelConfigError only for an unknown model name.
 */
export function verifyShiftDeployment(model: ModelConfig | string, world: number, sp: number, tp: number, order: FullTpOrder = 'full-tp'): Verdict {
  const m = resolveModel(model);
  const names = { a: `SP=${sp}×TP=${tp}`, b: `TP=${world}` };
  const bad = positive({ world, sp, tp });
  if (bad) return { verdict: 'refused', ...names, reason: `Shift deployment: ${bad}` };
  if (sp * tp !== world) {
    return {
      verdict: 'refused', ...names,
      reason: `SP ${sp} × TP ${tp} = ${sp * tp} does not equal the world size ${world}: the base model would run on ${sp * tp} ranks ` +
        `and the shift model on ${world}, so they cannot share one KV cache; choose s·t = ${world}`,
    };
  }
  return verifyInvariance(m, names, () => shiftModes(m, { world, sp, tp }, order));
}

/** Throws KvLayoutError with the verdict's reason unless the Shift deployment is invariant. */
export function assertShiftDeployment(model: ModelConfig | string, world: number, sp: number, tp: number, order: FullTpOrder = 'full-tp'): void {
  const v = verifyShiftDeployment(model, world, sp, tp, order);
  if (v.verdict === 'invariant') return;
  const name = typeof model === 'string' ? model : model.name;
  throw new KvLayoutError(`refusing Shift deployment of ${name} (P=${world}, SP=${sp}, TP=${tp}, ${order} order): ${v.reason}`);
}
