import { assertSwitchingKeepsKv, degreesOf } from '../../strategies/deployment.ts';
import { createPolicy, type PolicySpec } from '../../policy/registry.ts';
import { PolicyParamsError, type SwitchPolicy } from '../../policy/types.ts';
import { getStrategy, strategiesWith } from '../../strategies/registry.ts';
import type { KeyIssue } from '../../util/issues.ts';
import { checkDeployment } from '../sim-spec.ts';
import type { ResolveContext } from './context.ts';
import type { ResolvedSystem } from './resolved-system.ts';
import { DEFAULT_ROUTER, type SystemConfig } from './schema.ts';
import { describeZodIssues } from './zod-issues.ts';



/** What resolving a system needs of the config; baseDir is where policy modules are found. */
type Context = Pick<ResolveContext, 'model' | 'profile' | 'gpusPerNode' | 'dtype' | 'kv_dtype' | 'engine' | 'baseDir'>;

const oneLine = (e: unknown): string => (e as Error).message.replace(/\n\s*/g, '; ');

/**
 * Fills a validated system's defaults and checks it can run: the parallel layout fits the
 * model, a Shift deployment keeps its KV cache across a switch (the KV verifier), its policy
 * loads, and the simulator can build the deployment (weights fit, engine settings valid).
 * Problems are pushed to `issues` at `systems[template]...`; returns undefined then.
 */
export async function resolveSystem(s: SystemConfig, template: number, ctx: Context, issues: KeyIssue[]): Promise<ResolvedSystem | undefined> {
  const at = (...rest: (string | number)[]): (string | number)[] => ['systems', template, ...rest];
  const before = issues.length;
  const strategy = getStrategy(s.strategy);
  const switching = strategy.switching;
  const switchers = strategiesWith('switching').join(' or ');
  if (s.policy !== undefined && !switching) issues.push({ path: at('policy'), message: `only ${switchers} systems switch modes; remove policy or use strategy: ${switchers} (this one is ${s.strategy})` });
  if (s.router !== undefined && !strategy.routed) issues.push({ path: at('router'), message: `only ${strategiesWith('routed').join(' or ')} systems route requests over replicas (this one is ${s.strategy})` });
  let parallel: { world: number; sp: number; tp: number } | undefined;
  const world = s.world ?? ctx.gpusPerNode;
  const degrees = degreesOf(strategy, s);
  for (const [key, v] of Object.entries(degrees)) {
    if (v !== undefined && world % v !== 0) issues.push({ path: at(key), message: `${key} ${v} does not divide the world size ${world}` });
  }
  if (issues.length > before) return undefined;
  try {
    parallel = strategy.parallel(world, degrees);
    strategy.modes(ctx.model, parallel);
    assertSwitchingKeepsKv(strategy, ctx.model, parallel);
  } catch (e) {
    issues.push({ path: at(), message: oneLine(e) });
  }
  const policySpec = switching ? ((s.policy ?? switching.defaultPolicy) as PolicySpec) : undefined;
  let policy: SwitchPolicy | undefined;
  if (policySpec !== undefined) {
    try {
      policy = await createPolicy(policySpec, { baseDir: ctx.baseDir });
    } catch (e) {
      // Params written as a mapping: each bad key at its own path (and line). A 'name:number'
      // string has no keys to point at.
      if (e instanceof PolicyParamsError && typeof policySpec !== 'string') issues.push(...describeZodIssues(e.issues, e.schema, e.params, at('policy', ...e.at)));
      else issues.push({ path: at('policy'), message: oneLine(e) });
    }
  }
  if (issues.length > before || parallel === undefined) return undefined;
  const resolved: ResolvedSystem = {
    name: s.name,
    template,
    strategy: s.strategy,
    ...parallel,
    ...(policySpec === undefined ? {} : { policy: policySpec }),
    ...(strategy.routed ? { router: s.router ?? DEFAULT_ROUTER } : {}),
    dtype: s.dtype ?? ctx.dtype,
    kv_dtype: s.kv_dtype ?? ctx.kv_dtype,
    engine: { ...ctx.engine, ...definedOnly(s.engine ?? {}) },
  };
  try {
    await checkDeployment(resolved, ctx.model.name, ctx.profile, policy);
  } catch (e) {
    issues.push({ path: at(), message: oneLine(e) });
    return undefined;
  }
  return resolved;
}

function definedOnly<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
