import { type Mode, validateMode } from '../parallel/mode.ts';
import { rankModel } from './part.ts';
import { spPart } from './sp.ts';
import { tpPart } from './tp.ts';
import type { Strategy } from './types.ts';

/**
 * Shift parallelism: the SP (s, t) base model plus a second copy of the weights sharded
 * TP = s·t over the full-TP group (TP index, then SP index), both bound to one KV cache per
 * rank. Because rank (i, j) owns head block j·s + i in both, a switch moves no KV. The mode
 * of each iteration comes from the executor's switching policy.
 */
export const shift: Strategy = {
  name: 'shift',
  summary: 'Shift: SP=s × TP=t base model and a TP=s·t shift model over one KV cache, switched per iteration',
  modes(model, parallel) {
    const modes: Mode[] = [
      { kind: 'sp', sp: parallel.sp, tp: parallel.tp },
      { kind: 'tp', tp: parallel.world },
    ];
    for (const mode of modes) validateMode(model, mode, parallel.world);
    return modes;
  },
  replicas: () => 1,
  createRank(ctx) {
    const { sp: s, tp: t, world } = ctx.parallel;
    const base = spPart(ctx, { kind: 'sp', sp: s, tp: t });
    const full = tpPart(ctx, { kind: 'tp', tp: world }, { sp: s, tp: t });
    return rankModel(ctx, [base, full], ctx.rank === 0);
  },
};
