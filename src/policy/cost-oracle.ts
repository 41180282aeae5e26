import { z } from 'zod';
import { definePolicy } from './factory.ts';
import type { ModeId } from './types.ts';

/**
 * The cheapest mode by the cost model's prediction for this iteration (of the latency and the
 * throughput mode; a tie goes to the latency mode). Both modes run the same
 * batch on all P GPUs, so per iteration the fastest mode is best for every request in it; the
 * `switch_penalty` weights a change of mode as extra time (a real deployment pays for cold
 * CUDA graphs and caches on a switch), which makes the oracle sticky where the two are close.
 */
export const costOracle = definePolicy({
  name: 'cost-oracle',
  summary: 'the mode the cost model predicts to be fastest (optionally penalising switches)',
  params: z
    .object({
      switch_penalty: z.number().nonnegative().default(0).describe('a switch counts as this fraction of extra iteration time'),
    })
    .strict(),
  create: (p) => ({
    name: p.switch_penalty > 0 ? `cost-oracle:${p.switch_penalty}` : 'cost-oracle',
    decide: (s) => {
      const last = s.history.at(-1);
      const { latency, throughput } = s.roles;
      const cost = (mode: ModeId): number => s.predict(mode) * (last && last !== mode ? 1 + p.switch_penalty : 1);
      return cost(latency) <= cost(throughput) ? latency : throughput;
    },
  }),
});
