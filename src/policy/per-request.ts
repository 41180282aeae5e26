import { z } from 'zod';
import { definePolicy } from './factory.ts';

/**
 * The latency mode (Shift: full TP) when every sequence schedules at most `threshold` tokens,
 * else the throughput mode: unlike `threshold`, many
 * decodes alone never force SP, but any single long prefill chunk does.
 */
export const perRequest = definePolicy({
  name: 'per-request',
  summary: 'full TP when every sequence schedules <= threshold tokens',
  params: z.object({ threshold: z.number().int().nonnegative().default(64).describe('tokens of one sequence in one iteration') }).strict(),
  create: (p) => ({
    name: `per-request:${p.threshold}`,
    decide: (s) => (s.maxChunk <= p.threshold ? s.roles.latency : s.roles.throughput),
  }),
});
