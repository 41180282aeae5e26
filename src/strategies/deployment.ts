import { KvLayoutError } from '../kv/switch-check.ts';
import type { Verdict } from '../kv/verify.ts';
import type { ModelConfig } from '../model/config.ts';
import { SYNCHRONOUS, engineBatchesInFlight } from '../parallel/cost-shape.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { type Mode, factorizations } from '../parallel/mode.ts';
import type { ParallelConfig, Strategy } from './types.ts';

export { verifyDpAgainstTp } from './dp.ts';
export { assertShiftDeployment, verifyShiftDeployment } from './shift.ts';

/**
 * Entry points for configs that declare a deployment (the simulator, the experiment runner,
 * the CLI), for any registered strategy: plain numbers in, a plain Verdict out. A switching
 * strategy is valid only if its switching block's KV proof says its modes keep every rank's KV
 * (Shift: the base model SP = s × TP = t and the shift model TP = s·t own the same KV heads).
 */

export interface SweepRow {
  readonly model: string;
  readonly world: number;
  /** verdict.a names the split, e.g. 'SP=2×TP=4' or 'DP=2×TP=4'. */
  readonly verdict: Verdict;
}

/**
 * Every split s·t = P (Shift: SP s × TP t against TP P; DP: P/t replicas of TP t against TP P)
 * of every model and world size, with the verdict of the strategy's kvCheck.
 */
export function sweepDeployments(models: readonly ModelConfig[], worlds: readonly number[], strategy: Strategy, order: FullTpOrder = 'full-tp'): SweepRow[] {
  const check = strategy.kvCheck;
  if (!check) throw new KvLayoutError(`strategy ${strategy.name} declares no KV check to sweep`);
  return models.flatMap((m) =>
    worlds.flatMap((world) => factorizations(world).map((split) => ({ model: m.name, world, verdict: check.verify(m, world, split, order) }))),
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

/** Batches an engine of `strategy` keeps in flight over `modes`: its cost shapes' pipeline depth (1 when synchronous). */
export function batchesInFlightOf(strategy: Strategy, parallel: ParallelConfig, modes: readonly Mode[]): number {
  return engineBatchesInFlight(modes.map((mode) => ({ mode: mode.id, shape: strategy.costShape?.(parallel, mode) ?? SYNCHRONOUS })));
}
