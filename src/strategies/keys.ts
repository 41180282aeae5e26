import { z } from 'zod';
import { getModel } from '../model/catalog.ts';
import type { ModelConfig } from '../model/config.ts';
import { ParallelConfigError } from '../parallel/mode.ts';
import type { DegreeKeys, ParallelConfig } from './types.ts';

/** A parallel degree a strategy reads from its config (a positive integer, optional). */
export function degreeKey(describe: string): z.ZodType<number | undefined> {
  return z.number().int().positive().optional().describe(describe);
}

export function checkWorld(world: number): void {
  if (!Number.isInteger(world) || world < 1) throw new ParallelConfigError(`world size must be a positive integer, got ${world}`);
}

/**
 * SP = s × TP = t with s·t = world; defaults s = world, t = 1 and derives a missing one (SP and
 * Shift share this resolution).
 */
export function resolveSpTp(world: number, { sp, tp }: DegreeKeys): ParallelConfig {
  checkWorld(world);
  const s = sp ?? (tp === undefined ? world : world / tp);
  const t = tp ?? world / s;
  if (!Number.isInteger(s) || !Number.isInteger(t) || s * t !== world) {
    throw new ParallelConfigError(`SP ${sp ?? s} × TP ${tp ?? t} = ${(sp ?? s) * (tp ?? t)} does not equal the world size ${world}`);
  }
  return { world, sp: s, tp: t };
}

/**
 * world / t copies of a TP-t group (DP replicas, PP stages): no SP degree, t (default 1) a
 * divisor of the world size. `units` names the copies in the message, e.g. 'DP replicas'.
 */
export function resolveTpUnits(strategy: string, units: string, world: number, { sp, tp }: DegreeKeys): ParallelConfig {
  checkWorld(world);
  if ((sp ?? 1) !== 1) throw new ParallelConfigError(`strategy ${strategy} has no SP degree; got --sp ${sp}`);
  const t = tp ?? 1;
  if (!Number.isInteger(t) || t < 1 || world % t !== 0) throw new ParallelConfigError(`${units} of TP ${t} do not divide the world size ${world}`);
  return { world, sp: 1, tp: t };
}

/** A catalog model by name, or the model itself. */
export function resolveModel(model: ModelConfig | string): ModelConfig {
  return typeof model === 'string' ? getModel(model) : model;
}

/** The first of `values` that is not a positive integer, as a message; null when all are. */
export function positive(values: Record<string, number>): string | null {
  for (const [key, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) return `${key} must be a positive integer, got ${v}`;
  }
  return null;
}
