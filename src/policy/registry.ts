import { alternate } from './alternate.ts';
import { alwaysSp, alwaysTp } from './always.ts';
import { costOracle } from './cost-oracle.ts';
import { expr } from './expr.ts';
import { type PolicyFactory, buildPolicy } from './factory.ts';
import { hysteresis } from './hysteresis.ts';
import { loadPolicyModule } from './module.ts';
import { perRequest } from './per-request.ts';
import { threshold } from './threshold.ts';
import { PolicyError, type SwitchPolicy } from './types.ts';

const FACTORIES: readonly PolicyFactory<never>[] = [threshold, perRequest, hysteresis, costOracle, alwaysTp, alwaysSp, expr, alternate] as PolicyFactory<never>[];

/**
 * How a config names a policy:
 *   'threshold'  |  'threshold:512'                       a built-in, optionally its main number
 *   { name: 'hysteresis', low: 128, high: 2048 }          a built-in with parameters
 *   { module: './my-policy.ts', params: { ... } }         a user module (path relative to the config)
 */
export type PolicySpec = string | ({ readonly name: string } & Record<string, unknown>) | { readonly module: string; readonly params?: Record<string, unknown> };

export function policyNames(): string[] {
  return FACTORIES.map((f) => f.name);
}

export function policySummaries(): { name: string; summary: string }[] {
  return FACTORIES.map((f) => ({ name: f.name, summary: f.summary }));
}

function factory(name: string, where: readonly (string | number)[]): PolicyFactory<never> {
  const f = FACTORIES.find((x) => x.name === name);
  if (!f) throw new PolicyError(`${where.length ? `${where.join('.')}: ` : ''}unknown policy '${name}'; built-in policies: ${policyNames().join(', ')}`);
  return f;
}

/** A built-in policy from a string spec (`name` or `name:number`); synchronous, for CLIs. */
export function policyFromSpec(spec: string, where: readonly (string | number)[] = []): SwitchPolicy {
  const [name, arg] = spec.split(/:(.*)/s) as [string, string | undefined];
  const f = factory(name, where);
  if (arg === undefined) return buildPolicy(f, {}, where);
  // The shorthand sets the policy's first numeric parameter (threshold, …) or its expression.
  const key = name === 'expr' ? 'expr' : name === 'hysteresis' ? 'high' : 'threshold';
  const value = name === 'expr' ? arg : Number(arg);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new PolicyError(`policy '${spec}': '${arg}' is not a number`);
  return buildPolicy(f, { [key]: value }, where);
}

/** Any policy spec, including user modules (resolved against `baseDir`). */
export async function createPolicy(spec: PolicySpec, o: { baseDir?: string; where?: readonly (string | number)[] } = {}): Promise<SwitchPolicy> {
  const where = o.where ?? [];
  if (typeof spec === 'string') return policyFromSpec(spec, where);
  if ('module' in spec) {
    const { module, params } = spec as { module: unknown; params?: Record<string, unknown> };
    if (typeof module !== 'string') throw new PolicyError(`${[...where, 'module'].join('.')}: expected the path of a .ts or .js module`);
    return loadPolicyModule(module, params ?? {}, o.baseDir ?? process.cwd());
  }
  const { name, ...params } = spec as Record<string, unknown>;
  if (typeof name !== 'string') throw new PolicyError(`${[...where, 'name'].join('.')}: a policy needs a name (one of ${policyNames().join(', ')}) or a module`);
  return buildPolicy(factory(name, where), params, where);
}
