import { KvLayoutError } from '../kv/switch-check.ts';
import { type Verdict, verifyInvariance } from '../kv/verify.ts';
import { getModel } from '../model/catalog.ts';
import type { ModelConfig } from '../model/config.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { factorizations } from '../parallel/mode.ts';
import { dpMode } from './dp.ts';
import { verifyShiftDeployment } from './shift.ts';
import { tpMode } from './tp.ts';
import type { ParallelConfig, Strategy } from './types.ts';

export { assertShiftDeployment, verifyShiftDeployment } from './shift.ts';

/**
 * Entry points for configs that declare a deployment (the simulator, the experiment runner,
 * the CLI): plain numbers in, a plain Verdict out. A Shift deployment is valid only if its
 * base model SP = s × TP = t and its shift model TP = s·t own the same KV heads on every rank.
 */

function resolveModel(model: ModelConfig | string): ModelConfig {
  return typeof model === 'string' ? getModel(model) : model;
}

function positive(values: Record<string, number>): string | null {
  for (const [key, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) return `${key} must be a positive integer, got ${v}`;
  }
  return null;
}

/** Verdict on switching between DP (world / tp replicas of TP tp) and TP = world: per-request vs per-head. */
export function verifyDpAgainstTp(model: ModelConfig | string, world: number, tp = 1): Verdict {
  const m = resolveModel(model);
  const bad = positive({ world, tp });
  const names = { a: `DP=${world / tp}×TP=${tp}`, b: `TP=${world}` };
  if (bad) return { verdict: 'refused', ...names, reason: `DP against TP: ${bad}` };
  if (world % tp !== 0) return { verdict: 'refused', ...names, reason: `DP replicas of TP ${tp} do not divide the world size ${world}` };
  return verifyInvariance(m, names, () => [dpMode(m, world / tp, tp), tpMode(m, world)]);
}

export interface SweepRow {
  readonly model: string;
  readonly world: number;
  /** verdict.a names the split, e.g. 'SP=2×TP=4' or 'DP=2×TP=4'. */
  readonly verdict: Verdict;
}

/**
 * Every split s·t = P (Shift: SP s × TP t against TP P; DP: P/t replicas of TP t against TP P)
 * of every model and world size, with its verdict.
 */
export function sweepDeployments(models: readonly ModelConfig[], worlds: readonly number[], strategy: 'shift' | 'dp', order: FullTpOrder = 'full-tp'): SweepRow[] {
  return models.flatMap((m) =>
    worlds.flatMap((world) =>
      factorizations(world).map(({ sp, tp }) => ({
        model: m.name,
        world,
        verdict: strategy === 'shift' ? verifyShiftDeployment(m, world, sp, tp, order) : verifyDpAgainstTp(m, world, tp),
      })),
    ),
  );
}

/**
 * Throws KvLayoutError with the verdict's reason unless `strategy` has no switching block or its
 * KV proof finds every switch of this deployment keeps each rank's KV.
 */
export function assertSwitchingKeepsKv(strategy: Strategy, model: ModelConfig, parallel: ParallelConfig): void {
  const proof = strategy.switching?.kvProof(model, parallel);
  if (!proof || proof.verdict === 'invariant') return;
  throw new KvLayoutError(`refusing ${strategy.name} deployment of ${model.name} (P=${parallel.world}, SP=${parallel.sp}, TP=${parallel.tp}): ${proof.reason}`);
}

/** The degree keys `strategy` reads, picked from a config object. */
export function degreesOf(strategy: Strategy, config: Readonly<Record<string, unknown>>): Record<string, number | undefined> {
  return Object.fromEntries(Object.keys(strategy.configKeys).map((k) => [k, config[k] as number | undefined]));
}
