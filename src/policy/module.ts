import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { type IterationState, PolicyError, PolicyParamsError, type ModeId, type SwitchPolicy } from './types.ts';

/**
 * A user policy: a .ts or .js module whose default export (or export named `createPolicy`) is
 * a factory taking the YAML `params` and returning a SwitchPolicy. See
 * examples/policies/queue-aware.ts. Every failure names the module, and the iteration.
 *
 * A module may also export `params`, the schema of its params: a zod object schema, or a
 * function receiving zod and returning one (for modules outside this repository, which cannot
 * import zod themselves). The params are then checked, unknown keys included, and the factory
 * gets the parsed values (defaults filled in).
 */
export type PolicyModuleFactory = (params: Record<string, unknown>) => SwitchPolicy | Promise<SwitchPolicy>;
export type PolicyParamsExport = z.ZodType | ((zod: typeof z) => z.ZodType);

/**
 * The module's own exports. A module Node loads as CommonJS (a file outside any
 * `"type": "module"` package, in a worker thread) arrives wrapped: its exports object is the
 * namespace's default, and the factory is that object's `default`.
 */
function ownExports(ns: Record<string, unknown>): Record<string, unknown> {
  const d = ns.default;
  const wrapped = typeof d === 'object' && d !== null && ['default', 'createPolicy', 'params'].some((k) => k in d);
  return wrapped ? (d as Record<string, unknown>) : ns;
}

function paramsSchema(file: string, declared: unknown): z.ZodType | undefined {
  if (declared === undefined) return undefined;
  const schema = typeof declared === 'function' ? (declared as (zod: typeof z) => unknown)(z) : declared;
  if (typeof (schema as z.ZodType | null)?.safeParse !== 'function') {
    throw new PolicyError(`policy module ${file}: its 'params' export must be a zod schema or a function (z) => schema, got ${typeof schema}`);
  }
  // Unknown keys are typos: an object schema is made strict (zod's default drops them silently).
  return schema instanceof z.ZodObject ? schema.strict() : (schema as z.ZodType);
}

function checkParams(file: string, schema: z.ZodType | undefined, params: Record<string, unknown>): Record<string, unknown> {
  if (schema === undefined) return params;
  const r = schema.safeParse(params, { reportInput: true });
  if (r.success) return r.data as Record<string, unknown>;
  const lines = r.error.issues.map((i) => `params${i.path.map((k) => `.${String(k)}`).join('')}: ${i.message}`);
  throw new PolicyParamsError(`policy module ${file}: ${lines.join('; ')}`, ['params'], schema, params, r.error.issues);
}

export async function loadPolicyModule(file: string, params: Record<string, unknown>, baseDir: string): Promise<SwitchPolicy> {
  const resolved = path.resolve(baseDir, file);
  let mod: Record<string, unknown>;
  try {
    mod = ownExports((await import(pathToFileURL(resolved).href)) as Record<string, unknown>);
  } catch (e) {
    throw new PolicyError(`policy module ${file} (${resolved}) failed to load: ${(e as Error).message}`);
  }
  const factory = (mod.default ?? mod.createPolicy) as PolicyModuleFactory | undefined;
  if (typeof factory !== 'function') {
    throw new PolicyError(`policy module ${file} must export a factory function as its default export or as 'createPolicy'`);
  }
  const checked = checkParams(file, paramsSchema(file, mod.params), params);
  let policy: SwitchPolicy;
  try {
    policy = await factory(checked);
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
    decide(s: IterationState): ModeId {
      let mode: unknown;
      try {
        mode = policy.decide(s);
      } catch (e) {
        throw new PolicyError(`policy module ${file} threw at iteration ${s.iteration}: ${(e as Error).message}`);
      }
      if (typeof mode !== 'string' || (s.modes.length > 0 && !s.modes.includes(mode))) {
        const expected = s.modes.length > 0 ? `one of ${s.modes.map((m) => `'${m}'`).join(', ')}` : 'a mode id (a string)';
        throw new PolicyError(`policy module ${file} returned ${JSON.stringify(mode)} at iteration ${s.iteration}; expected ${expected}`);
      }
      return mode;
    },
  };
}
