import { z } from 'zod';
import { definePolicy } from './factory.ts';
import type { SwitchPolicy } from './types.ts';

/** Switches mode every iteration (the throughput mode first; Shift: SP): a stress test of KV-layout invariance. */
export function alternatePolicy(): SwitchPolicy {
  return {
    name: 'alternate',
    decide: (s) => (s.iteration % 2 === 0 ? s.roles.throughput : s.roles.latency),
  };
}

export const alternate = definePolicy({
  name: 'alternate',
  summary: 'switch every iteration (tests KV invariance; never a good idea for speed)',
  params: z.object({}).strict(),
  create: () => alternatePolicy(),
});
