import type { ModelConfig } from '../../model/config.ts';
import { factorizations } from '../../parallel/mode.ts';
import type { PolicySpec } from '../../policy/registry.ts';
import { getStrategy, resolveParallel } from '../../strategies/registry.ts';
import type { ParallelConfig, StrategyName } from '../../strategies/types.ts';
import type { SystemConfig } from '../config/schema.ts';
import { policyLabel } from '../manifest.ts';
import type { SearchConfig, SearchEngineKey } from '../config/search-schema.ts';

/**
 * The candidates of a search space: every strategy (from the registry) with every layout it
 * accepts on `world` GPUs, every policy for strategies that switch modes, every combination of
 * the engine values. No candidate is dropped here: one the model cannot run (heads that do not
 * divide, weights that do not fit) is found undeployable when it is resolved, and listed.
 */
export interface SpaceCandidate {
  readonly system: SystemConfig;
  readonly policy?: string;
  readonly engine: Readonly<Partial<Record<SearchEngineKey, number>>>;
}

const SHORT: Record<SearchEngineKey, string> = { max_num_batched_tokens: 'tokens', max_num_seqs: 'seqs' };

/**
 * The (s, t) layouts a strategy accepts on `world` ranks: each factorization s·t = world given
 * as both degrees, and each t given alone (strategies with a fixed or derived SP degree), as
 * resolveParallel reads them; duplicates once.
 */
export function layoutsOf(strategy: StrategyName, world: number): ParallelConfig[] {
  const seen = new Map<string, ParallelConfig>();
  for (const { sp, tp } of factorizations(world)) {
    for (const attempt of [() => resolveParallel(strategy, world, sp, tp), () => resolveParallel(strategy, world, undefined, tp)]) {
      try {
        const p = attempt();
        seen.set(`${p.sp}x${p.tp}`, p);
      } catch {
        // Not a layout of this strategy.
      }
    }
  }
  return [...seen.values()].sort((a, b) => a.sp - b.sp || a.tp - b.tp);
}

/** Whether the strategy switches between modes (then each policy is a candidate of its own). */
function switches(strategy: StrategyName, model: ModelConfig, p: ParallelConfig): boolean | undefined {
  try {
    return getStrategy(strategy).modes(model, p).length > 1;
  } catch {
    return undefined; // the layout does not fit the model: listed once, undeployable
  }
}

function engineCombinations(space: SearchConfig['engine']): Partial<Record<SearchEngineKey, number>>[] {
  let out: Partial<Record<SearchEngineKey, number>>[] = [{}];
  for (const [key, values] of Object.entries(space) as [SearchEngineKey, number[] | undefined][]) {
    if (values !== undefined) out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return out;
}

export function enumerateSpace(search: SearchConfig, model: ModelConfig, world: number): SpaceCandidate[] {
  const allowed = search.layouts === undefined ? undefined : new Set(search.layouts.map((l) => `${l.sp}x${l.tp}`));
  const engines = engineCombinations(search.engine);
  const out: SpaceCandidate[] = [];
  for (const strategy of search.strategies as StrategyName[]) {
    for (const p of layoutsOf(strategy, world).filter((l) => allowed === undefined || allowed.has(`${l.sp}x${l.tp}`))) {
      // A strategy that switches runs each listed policy, or its own default policy.
      const defaultPolicy = getStrategy(strategy).switching?.defaultPolicy;
      const policies = (search.policies ?? (defaultPolicy === undefined ? [] : [defaultPolicy])) as PolicySpec[];
      const withPolicies = switches(strategy, model, p) === true ? policies : [undefined];
      for (const policy of withPolicies) {
        for (const engine of engines) {
          const label = policyLabel(policy);
          const parts = [`${strategy} ${p.sp}x${p.tp}`, ...(label === undefined ? [] : [label]), ...Object.entries(engine).map(([k, v]) => `${SHORT[k as SearchEngineKey]}=${v}`)];
          out.push({
            system: { name: parts.join(' '), strategy, world, sp: p.sp, tp: p.tp, ...(policy === undefined ? {} : { policy }), ...(Object.keys(engine).length > 0 ? { engine } : {}) } as SystemConfig,
            ...(label === undefined ? {} : { policy: label }),
            engine,
          });
        }
      }
    }
  }
  return out;
}
