import type { ModelConfig } from '../model/config.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { type Mode, validateMode } from '../parallel/mode.ts';
import { rankModel } from './part.ts';
import { spMode, spPart } from './sp.ts';
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
