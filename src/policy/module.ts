import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type IterationState, PolicyError, type SwitchMode, type SwitchPolicy } from './types.ts';

/**
 * A user policy: a .ts or .js module whose default export (or export named `createPolicy`) is
 * a factory taking the YAML `params` and returning a SwitchPolicy. See
 * examples/policies/queue-aware.ts. Every failure names the module, and the iteration.
 */
export type PolicyModuleFactory = (params: Record<string, unknown>) => SwitchPolicy | Promise<SwitchPolicy>;

export async function loadPolicyModule(file: string, params: Record<string, unknown>, baseDir: string): Promise<SwitchPolicy> {
  const resolved = path.resolve(baseDir, file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (e) {
    throw new PolicyError(`policy module ${file} (${resolved}) failed to load: ${(e as Error).message}`);
  }
  const factory = (mod.default ?? mod.createPolicy) as PolicyModuleFactory | undefined;
  if (typeof factory !== 'function') {
    throw new PolicyError(`policy module ${file} must export a factory function as its default export or as 'createPolicy'`);
  }
  let policy: SwitchPolicy;
  try {
    policy = await factory(params);
  } catch (e) {
    throw new PolicyError(`policy module ${file} threw while creating its policy: ${(e as Error).message}`);
  }
  if (!policy || typeof policy.decide !== 'function') {
    throw new PolicyError(`policy module ${file}: its factory must return an object with a decide(state) method`);
  }
  return guarded(policy, file);
}

/** Wraps decide() so a throw or a bad answer names the module and the iteration. */
function guarded(policy: SwitchPolicy, file: string): SwitchPolicy {
  const name = policy.name ?? path.basename(file);
  return {
    name,
    decide(s: IterationState): SwitchMode {
      let mode: unknown;
      try {
        mode = policy.decide(s);
      } catch (e) {
        throw new PolicyError(`policy module ${file} threw at iteration ${s.iteration}: ${(e as Error).message}`);
      }
      if (mode !== 'tp' && mode !== 'sp') {
        throw new PolicyError(`policy module ${file} returned ${JSON.stringify(mode)} at iteration ${s.iteration}; expected 'tp' or 'sp'`);
      }
      return mode;
    },
  };
}
