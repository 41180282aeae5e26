import { createReferenceExecutor } from '../../src/exec/reference-executor.ts';
import { type GenerateOptions, type GenerateResult, generate } from '../../src/exec/generate.ts';
import { RankPool } from '../../src/exec/rank-pool.ts';
import type { Batch } from '../../src/model/batch.ts';
import { allModels } from '../../src/model/catalog.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import { type Mode, ParallelConfigError } from '../../src/parallel/mode.ts';
import type { SwitchPolicy } from '../../src/policy/types.ts';
import { getStrategy } from '../../src/strategies/registry.ts';
import type { DegreeKeys, ParallelConfig, Strategy } from '../../src/strategies/types.ts';
import { WORKLOAD } from './executor.ts';

/**
 * What the conformance suite (test/conformance.test.ts) runs for each registered strategy,
 * found from the registry alone: its valid deployments on the tiny models, the reference run
 * of each model, a policy cycling a strategy's modes, and worker pools shared by deployments.
 */

/** One valid deployment of a strategy: the first tiny model that can be laid out on it. */
export interface Deployment {
  readonly strategy: Strategy;
  readonly model: ModelConfig;
  readonly parallel: ParallelConfig;
  readonly modes: readonly Mode[];
  readonly label: string;
}

/** The catalog's tiny test models, `tiny` first (the executor tests' contract). */
export function tinyModels(): ModelConfig[] {
  return allModels().filter((m) => m.source === 'test' && m.name.startsWith('tiny'));
}

/** The strategy's modes on `model`, or null where the deployment cannot exist on it. */
function modesOn(strategy: Strategy, model: ModelConfig, parallel: ParallelConfig): Mode[] | null {
  try {
    return strategy.modes(model, parallel);
  } catch (e) {
    if (e instanceof ParallelConfigError) return null;
    throw e;
  }
}

/** The divisors of n, ascending. */
function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, k) => k + 1).filter((d) => n % d === 0);
}

/** Every assignment of divisors of `world` to a subset of `keys` (the empty one first). */
function keyChoices(keys: readonly string[], world: number): DegreeKeys[] {
  let out: DegreeKeys[] = [{}];
  for (const key of keys) out = out.flatMap((k) => [k, ...divisors(world).map((v) => ({ ...k, [key]: v }))]);
  return out;
}

/** The strategy's config keys that take a parallel degree (a positive integer). */
export function degreeKeysOf(strategy: Strategy): string[] {
  return Object.entries(strategy.configKeys).filter(([, schema]) => schema.safeParse(2).success && !schema.safeParse(0.5).success).map(([key]) => key);
}

/**
 * Every distinct deployment of strategy `name` on `world` ranks that it accepts, found from
 * what it declares: each assignment of divisors of `world` to its degree keys (none given
 * included), resolved by the strategy itself. Each runs on the first tiny model its modes can
 * be laid out on; one that fits none is left out (the suite checks that every strategy keeps
 * at least one per world size).
 */
export function deploymentsOf(name: string, world: number): Deployment[] {
  const strategy = getStrategy(name);
  const seen = new Set<string>();
  const out: Deployment[] = [];
  for (const keys of keyChoices(degreeKeysOf(strategy), world)) {
    let parallel: ParallelConfig;
    try {
      parallel = strategy.parallel(world, keys);
    } catch (e) {
      if (e instanceof ParallelConfigError) continue;
      throw e;
    }
    const key = JSON.stringify(parallel);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const model of tinyModels()) {
      const modes = modesOn(strategy, model, parallel);
      if (!modes) continue;
      out.push({ strategy, model, parallel, modes, label: `${name} P=${world} [${modes.map((m) => m.label).join(' | ')}] on ${model.name}` });
      break;
    }
  }
  return out;
}

/**
 * The degrees of `d` as the executor and the simulator take them (sp and tp, where the strategy
 * declares them). Throws when those do not resolve back to `d.parallel`, rather than let the
 * suite test another deployment than the one it names.
 */
export function degreesOf(d: Deployment): { sp?: number; tp?: number } {
  const keys = degreeKeysOf(d.strategy);
  const degrees = { ...(keys.includes('sp') ? { sp: d.parallel.sp } : {}), ...(keys.includes('tp') ? { tp: d.parallel.tp } : {}) };
  const back = d.strategy.parallel(d.parallel.world, degrees);
  if (JSON.stringify(back) !== JSON.stringify(d.parallel)) {
    throw new Error(`${d.label}: sp/tp ${JSON.stringify(degrees)} resolve to ${JSON.stringify(back)}, not ${JSON.stringify(d.parallel)}; the executor and simulator take only sp and tp`);
  }
  return degrees;
}

/**
 * The most batches an engine may keep in flight for `d`: one per stage of a pipeline cost shape,
 * 1 for synchronous modes (an upper bound the simulator's overlap must respect).
 */
export function batchesInFlightOf(d: Deployment): number {
  return Math.max(...d.modes.map((m) => {
    const shape = d.strategy.costShape?.(d.parallel, m);
    return shape?.kind === 'pipeline' ? shape.stages.length : 1;
  }));
}

/** A policy that runs mode ids[i mod n] in iteration i: every switch, in both directions. */
export function cyclePolicy(modes: readonly Mode[]): SwitchPolicy {
  return { name: 'cycle', decide: (s) => modes[s.iteration % modes.length]!.id };
}

/** The executor tests' workload (prefill chunks mixed with decodes), in the model's vocabulary. */
export function workloadFor(model: ModelConfig): GenerateOptions {
  return { ...WORKLOAD, vocab: model.vocab };
}

const references = new Map<string, Promise<GenerateResult>>();

/** The single-device reference run of the workload on `model` (once per test process). */
export function referenceOf(model: ModelConfig): Promise<GenerateResult> {
  let ref = references.get(model.name);
  if (!ref) {
    ref = generate(createReferenceExecutor({ model: model.name, seed: 1, kvBlocks: WORKLOAD.kvBlocks, blockSize: WORKLOAD.blockSize }), workloadFor(model));
    references.set(model.name, ref);
  }
  return ref;
}

/**
 * Two batches for the communicator check, with prefill, a chunk and a decode, spread unevenly
 * over the replicas there are (most on the last), so replicas do different work.
 */
export function commBatches(model: ModelConfig, replicas: number): Batch[] {
  const tokens = (n: number, seed: number): number[] => Array.from({ length: n }, (_, k) => (seed * 31 + k * 7) % model.vocab);
  const on = (replica: number): number => Math.min(replica, replicas - 1);
  return [
    {
      seqs: [
        { id: 0, replica: on(0), tokens: tokens(5, 1), start: 0, blockTable: [0], sample: true, decode: false },
        { id: 1, replica: on(1), tokens: tokens(17, 2), start: 0, blockTable: [1, 2], sample: false, decode: false },
        { id: 2, replica: on(1), tokens: tokens(1, 3), start: 20, blockTable: [3, 4], sample: true, decode: true },
      ],
    },
    { seqs: [{ id: 3, replica: on(1), tokens: tokens(9, 4), start: 0, blockTable: [5], sample: true, decode: false }] },
  ];
}

/** One RankPool per world size, started on first use and shared by every deployment of that size. */
export class RankPools {
  private readonly pools = new Map<number, RankPool>();

  get(world: number): RankPool {
    let pool = this.pools.get(world);
    if (!pool) {
      pool = new RankPool(world);
      this.pools.set(world, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
