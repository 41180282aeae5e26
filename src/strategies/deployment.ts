import { KvLayoutError } from '../kv/switch-check.ts';
import { type Verdict, verifyInvariance } from '../kv/verify.ts';
import { getModel } from '../model/catalog.ts';
import type { ModelConfig } from '../model/config.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { factorizations } from '../parallel/mode.ts';
import { dpMode } from './dp.ts';
import { shiftModes } from './shift.ts';
import { tpMode } from './tp.ts';

/**
 * Entry points for configs that declare a deployment (the simulator, the experiment runner,
 * the CLI): plain numbers in, a plain Verdict out. A Shift deployment is valid only if its
 * base model SP = s × TP = t and its shift model TP = s·t own the same KV heads on every rank.
 */

function resolve(model: ModelConfig | string): ModelConfig {
  return typeof model === 'string' ? getModel(model) : model;
}

function positive(values: Record<string, number>): string | null {
  for (const [key, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) return `${key} must be a positive integer, got ${v}`;
  }
  return null;
}

/**
 * Verdict on Shift with SP = sp, TP = tp on `world` ranks: 'invariant' (with the per-rank
 * proof), 'moves' (with a counterexample) or 'refused' (the config cannot exist, e.g. s·t ≠ P).
 * Throws ModelConfigError only for an unknown model name.
 */
export function verifyShiftDeployment(model: ModelConfig | string, world: number, sp: number, tp: number, order: FullTpOrder = 'full-tp'): Verdict {
  const m = resolve(model);
  const names = { a: `SP=${sp}×TP=${tp}`, b: `TP=${world}` };
  const bad = positive({ world, sp, tp });
  if (bad) return { verdict: 'refused', ...names, reason: `Shift deployment: ${bad}` };
  if (sp * tp !== world) {
    return {
      verdict: 'refused', ...names,
      reason: `SP ${sp} × TP ${tp} = ${sp * tp} does not equal the world size ${world}: the base model would run on ${sp * tp} ranks ` +
        `and the shift model on ${world}, so they cannot share one KV cache; choose s·t = ${world}`,
    };
  }
  return verifyInvariance(m, names, () => shiftModes(m, { world, sp, tp }, order));
}

/** Throws KvLayoutError with the verdict's reason unless the Shift deployment is invariant. */
export function assertShiftDeployment(model: ModelConfig | string, world: number, sp: number, tp: number, order: FullTpOrder = 'full-tp'): void {
  const v = verifyShiftDeployment(model, world, sp, tp, order);
  if (v.verdict === 'invariant') return;
  const name = typeof model === 'string' ? model : model.name;
  throw new KvLayoutError(`refusing Shift deployment of ${name} (P=${world}, SP=${sp}, TP=${tp}, ${order} order): ${v.reason}`);
}

/** Verdict on switching between DP (world / tp replicas of TP tp) and TP = world: per-request vs per-head. */
export function verifyDpAgainstTp(model: ModelConfig | string, world: number, tp = 1): Verdict {
  const m = resolve(model);
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
