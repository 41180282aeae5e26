import type { ModelConfig } from '../model/config.ts';

/**
 * How P ranks are used in one engine iteration.
 *  - tp: one tensor-parallel group of all P ranks (Shift's "shift model").
 *  - sp: Ulysses sequence parallelism of degree s, each SP rank a TP group of t (s·t = P).
 *  - dp: P / t independent replicas, each a TP group of t ranks.
 */
export type Mode =
  | { readonly kind: 'tp'; readonly tp: number }
  | { readonly kind: 'sp'; readonly sp: number; readonly tp: number }
  | { readonly kind: 'dp'; readonly replicas: number; readonly tp: number };

export type ModeKind = Mode['kind'];

export function modeWorld(m: Mode): number {
  switch (m.kind) {
    case 'tp':
      return m.tp;
    case 'sp':
      return m.sp * m.tp;
    case 'dp':
      return m.replicas * m.tp;
  }
}

export function describeMode(m: Mode): string {
  switch (m.kind) {
    case 'tp':
      return `TP=${m.tp}`;
    case 'sp':
      return `SP=${m.sp}×TP=${m.tp}`;
    case 'dp':
      return `DP=${m.replicas}×TP=${m.tp}`;
  }
}

export class ParallelConfigError extends Error {
  override readonly name = 'ParallelConfigError';
}

/**
 * Checks that `model` can be laid out in `mode` on `world` ranks; throws naming the numbers.
 * Every shard of attention must hold whole query heads and either whole KV heads or one
 * replicated KV head (vLLM's rule), in the TP group of the QKV projection (t) and, for SP,
 * in the attention layout over all s·t ranks.
 */
export function validateMode(model: ModelConfig, mode: Mode, world: number): void {
  const P = modeWorld(mode);
  if (mode.kind === 'sp' && P !== world) {
    throw new ParallelConfigError(
      `SP ${mode.sp} × TP ${mode.tp} = ${P} does not equal the world size ${world}; ` +
        `choose s and t with s·t = ${world}`,
    );
  }
  if (P !== world) {
    throw new ParallelConfigError(`${describeMode(mode)} uses ${P} ranks but the world size is ${world}`);
  }
  for (const [key, v] of Object.entries(mode)) {
    if (key !== 'kind' && (!Number.isInteger(v) || (v as number) < 1)) {
      throw new ParallelConfigError(`${describeMode(mode)}: ${key} must be a positive integer, got ${v}`);
    }
  }
  const tpWhere = `the TP group of ${describeMode(mode)}`;
  checkHeads(model, mode.tp, tpWhere);
  for (const key of ['mlp', 'vocab'] as const) {
    if (model[key] % mode.tp !== 0) {
      throw new ParallelConfigError(`${model.name}: ${key} size ${model[key]} is not divisible by ${mode.tp} ranks in ${tpWhere}`);
    }
  }
  if (mode.kind === 'sp') checkHeads(model, P, `the attention layout of ${describeMode(mode)} (s·t = ${P})`);
}

function checkHeads(model: ModelConfig, n: number, where: string): void {
  if (model.heads % n !== 0) {
    throw new ParallelConfigError(
      `${model.name}: ${model.heads} query heads are not divisible by ${n} ranks in ${where}`,
    );
  }
  if (model.kvHeads % n !== 0 && n % model.kvHeads !== 0) {
    throw new ParallelConfigError(
      `${model.name}: ${model.kvHeads} KV heads can neither be split over nor replicated onto ` +
        `${n} ranks in ${where} (need ${model.kvHeads} % ${n} = 0 or ${n} % ${model.kvHeads} = 0)`,
    );
  }
}

/** All (s, t) with s·t = P, s ascending. */
export function factorizations(P: number): { sp: number; tp: number }[] {
  const out: { sp: number; tp: number }[] = [];
  for (let s = 1; s <= P; s++) if (P % s === 0) out.push({ sp: s, tp: P / s });
  return out;
}
