import { type Mode, validateMode } from '../parallel/mode.ts';
import { rankModel } from './part.ts';
import { tpPart } from './tp.ts';
import type { Strategy } from './types.ts';

/**
 * Data parallelism: P / t independent replicas, each a TP group of t contiguous ranks with its
 * own KV pool. A sequence lives on one replica, so the KV layout is per request, not per head.
 */
export const dp: Strategy = {
  name: 'dp',
  summary: 'data parallelism: P/t independent replicas of TP t (highest throughput, per-request KV)',
  modes(model, parallel) {
    const mode: Mode = { kind: 'dp', replicas: parallel.world / parallel.tp, tp: parallel.tp };
    validateMode(model, mode, parallel.world);
    return [mode];
  },
  replicas: (parallel) => parallel.world / parallel.tp,
  createRank(ctx) {
    const t = ctx.parallel.tp;
    const mode = { kind: 'dp', replicas: ctx.parallel.world / t, tp: t } as const;
    const part = tpPart(ctx, mode, { sp: 1, tp: t });
    return rankModel(ctx, [part], ctx.rank % t === 0, Math.floor(ctx.rank / t));
  },
};
