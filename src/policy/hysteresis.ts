import { z } from 'zod';
import { definePolicy } from './factory.ts';
import type { ModeId } from './types.ts';

/**
 * Two thresholds and a minimum dwell: go to the throughput mode (Shift: SP) above `high` total
 * tokens, back to the latency mode (Shift: TP) at or below `low`, and stay at least `min_dwell` iterations in a mode before leaving it. Damps flapping
 * when the batch size hovers around a single threshold.
 */
export const hysteresis = definePolicy({
  name: 'hysteresis',
  summary: 'SP above `high` tokens, TP below `low`, at least `min_dwell` iterations per mode',
  params: z
    .object({
      low: z.number().int().nonnegative().default(256).describe('switch to TP at or below this many tokens'),
      high: z.number().int().nonnegative().default(1024).describe('switch to SP above this many tokens'),
      min_dwell: z.number().int().nonnegative().default(4).describe('iterations to stay in a mode after switching'),
    })
    .strict()
    .refine((p) => p.low <= p.high, { message: 'low must not exceed high', path: ['low'] }),
  create: (p) => ({
    name: `hysteresis:${p.low}-${p.high}/${p.min_dwell}`,
    decide: (s) => {
      const { latency, throughput } = s.roles;
      const last: ModeId = s.history.at(-1) ?? (s.totalTokens > p.high ? throughput : latency);
      let dwell = 0;
      for (let k = s.history.length - 1; k >= 0 && s.history[k] === last; k--) dwell++;
      if (s.history.length > 0 && dwell < p.min_dwell) return last;
      if (last === latency) return s.totalTokens > p.high ? throughput : latency;
      return s.totalTokens <= p.low ? latency : throughput;
    },
  }),
});
