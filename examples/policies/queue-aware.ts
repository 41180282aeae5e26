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
 * This one extends the upstream rule: like `threshold`, full TP for small iterations, but it
 * also stays in SP while requests are queueing, since then throughput is what drains the queue.
 */
import type { IterationState, SwitchPolicy } from '../../src/policy/types.ts';

export default function createPolicy(params: Record<string, unknown>): SwitchPolicy {
  const threshold = Number(params.threshold ?? 512);
  const queue = Number(params.queue ?? 8);
  if (!Number.isFinite(threshold) || !Number.isFinite(queue)) {
    throw new Error(`queue-aware: threshold and queue must be numbers, got ${JSON.stringify(params)}`);
  }
  return {
    name: `queue-aware:${threshold}/${queue}`,
    decide: (s: IterationState) => (s.totalTokens <= threshold && s.waiting < queue ? 'tp' : 'sp'),
  };
}
