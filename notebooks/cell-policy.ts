import { fileURLToPath } from 'node:url';
import type { SwitchPolicy } from '../src/policy/types.ts';

/**
 * Runs a switching policy written in a notebook cell inside an experiment. Experiments load
 * user policies as modules (`policy: { module, params }`); this module is one whose factory
 * hands back policies registered from the kernel. Module instances are per thread, so the
 * experiment must run its units in the kernel's thread: `runExperiment(e, { jobs: 1 })`.
 *
 *   const spec = notebookPolicy('mine', () => ({ name: 'mine', decide: (s) => ... }));
 *   // in the config: policy: ${JSON.stringify(spec)}
 */
const factories = new Map<string, () => SwitchPolicy>();

export interface NotebookPolicySpec {
  readonly module: string;
  readonly params: { readonly name: string };
}

/** Registers `create` (called for every point the system runs at, so state starts fresh) and returns the policy spec for the config. */
export function notebookPolicy(name: string, create: () => SwitchPolicy): NotebookPolicySpec {
  factories.set(name, create);
  return { module: fileURLToPath(import.meta.url), params: { name } };
}

export class NotebookPolicyError extends Error {
  override readonly name = 'NotebookPolicyError';
}

export default function createPolicy(params: Record<string, unknown>): SwitchPolicy {
  const name = String(params.name);
  const create = factories.get(name);
  if (create === undefined) {
    const known = [...factories.keys()].join(', ') || 'none';
    throw new NotebookPolicyError(
      `no notebook policy '${name}' in this thread (registered: ${known}); register it with notebookPolicy() in the kernel and run the experiment with jobs: 1 (worker threads cannot see the kernel's objects)`,
    );
  }
  return create();
}
