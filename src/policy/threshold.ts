import { z } from 'zod';
import { definePolicy } from './factory.ts';
import type { SwitchPolicy } from './types.ts';

/**
 * The upstream rule (ArcticInference): run the latency mode (Shift: the full-TP shift model) when
 * the iteration's total scheduled tokens are at most `threshold` (code default 512), else the
 * throughput mode (Shift: the SP base model).
 * Known weakness (SHIFT.md): one long prefill chunk drags every co-scheduled decode into SP.
 */
export function thresholdPolicy(threshold = 512): SwitchPolicy {
  return {
    name: `threshold:${threshold}`,
    decide: (s) => (s.totalTokens <= threshold ? s.roles.latency : s.roles.throughput),
  };
}

export const threshold = definePolicy({
  name: 'threshold',
  summary: 'full TP when total scheduled tokens <= threshold (the upstream rule)',
  params: z.object({ threshold: z.number().int().nonnegative().default(512).describe('tokens per iteration') }).strict(),
  create: (p) => thresholdPolicy(p.threshold),
});
