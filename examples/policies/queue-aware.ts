/**
 * An example user switching policy for Shift Parallelism.
 *
 * A policy module exports a factory (default export) that takes the `params` written in the
 * experiment YAML and returns an object with `decide(state)`, which returns 'tp' (the full-TP
 * shift model: lowest latency) or 'sp' (the SP base model: highest throughput) for the
 * iteration about to run. Use it in a config as:
 *
 *   policy: { module: ../examples/policies/queue-aware.ts, params: { threshold: 512, queue: 8 } }
 *
 * (paths are relative to the YAML file). `state` is documented in src/policy/types.ts.
 *
 * It also exports `params`, the schema of its params, as a function of zod (so that a copy in
 * a folder of your own, where `import { z } from 'zod'` does not resolve, works unchanged): the
 * params are then checked before the run (a typo such as `qeue: 8` is an error naming the key)
 * and the factory gets them parsed, defaults filled in. Without a `params` export the factory
 * gets the YAML params unchecked.
 *
 * This one extends the upstream rule: like `threshold`, full TP for small iterations, but it
 * also stays in SP while requests are queueing, since then throughput is what drains the queue.
 */
import type { z } from 'zod';
import type { IterationState, SwitchPolicy } from '../../src/policy/types.ts';

export const params = (zod: typeof z) =>
  zod.object({
    threshold: zod.number().int().nonnegative().default(512).describe('full TP when total scheduled tokens <= threshold ...'),
    queue: zod.number().int().positive().default(8).describe('... and fewer than this many requests are waiting'),
  });

export default function createPolicy(p: z.output<ReturnType<typeof params>>): SwitchPolicy {
  return {
    name: `queue-aware:${p.threshold}/${p.queue}`,
    decide: (s: IterationState) => (s.totalTokens <= p.threshold && s.waiting < p.queue ? 'tp' : 'sp'),
  };
}
