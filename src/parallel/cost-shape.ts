/**
 * How a strategy's per-rank times make one iteration's time, declared by the strategy for each
 * mode (Strategy.costShape; default synchronous). Plain data here, so that strategies can
 * declare it without importing the cost model, which prices it (src/cost/cost-shape.ts), or the
 * engine, which reads from it how many batches it keeps in flight (batchesInFlight below):
 *
 *   synchronous   every rank works on the same batch and meets the others in collectives, so
 *                 the iteration takes as long as its slowest rank: max over ranks. One batch in
 *                 flight.
 *   pipeline      stages (sets of ranks) that hand activations on point-to-point, one batch per
 *                 stage in flight (S = stages.length micro-batches). The cost model prices ONE
 *                 iteration: its latency through every stage, a stage taking its slowest rank's
 *                 time (point-to-point activations included in the ranks' traces),
 *                     dt = Σ_k stage_k.
 *                 The overlap of batches is the engine's (src/sim/engine.ts): it splits dt over
 *                 its S stages and starts the next batch when stage 1 frees, so m batches in a
 *                 row end after (S + m − 1)·dt/S, the GPipe bubble of S − 1 stage times (Huang
 *                 et al., GPipe, arXiv 1811.06965). Pricing the bubble in dt as well would count
 *                 it twice.
 */
export type CostShape =
  | { readonly kind: 'synchronous' }
  | { readonly kind: 'pipeline'; readonly stages: readonly (readonly number[])[] };

export const SYNCHRONOUS: CostShape = { kind: 'synchronous' };

export class CostShapeError extends Error {
  override readonly name = 'CostShapeError';
}

/** The ranks of a pipeline's stages must be disjoint ranks of the world, at least one stage. */
export function checkCostShape(shape: CostShape, world: number): void {
  if (shape.kind === 'synchronous') return;
  if (shape.stages.length === 0) throw new CostShapeError('a pipeline cost shape needs at least one stage');
  const seen = new Set<number>();
  shape.stages.forEach((ranks, k) => {
    if (ranks.length === 0) throw new CostShapeError(`pipeline stage ${k} has no ranks`);
    for (const r of ranks) {
      if (!Number.isInteger(r) || r < 0 || r >= world) throw new CostShapeError(`pipeline stage ${k}: rank ${r} is not a rank of a world of ${world}`);
      if (seen.has(r)) throw new CostShapeError(`pipeline stage ${k}: rank ${r} is already in an earlier stage`);
      seen.add(r);
    }
  });
}

/** Batches an engine keeps in flight under `shape`: one per pipeline stage, 1 when synchronous. */
export function batchesInFlight(shape: CostShape): number {
  return shape.kind === 'pipeline' ? shape.stages.length : 1;
}

/**
 * Batches in flight of an engine running modes of these shapes: one engine has one pipeline
 * depth, so the modes must agree (throws CostShapeError naming them otherwise).
 */
export function engineBatchesInFlight(shapes: readonly { readonly mode: string; readonly shape: CostShape }[]): number {
  const depths = shapes.map(({ mode, shape }) => ({ mode, k: batchesInFlight(shape) }));
  const first = depths[0];
  const other = depths.find((d) => d.k !== first?.k);
  if (first && other) {
    throw new CostShapeError(`mode ${first.mode} keeps ${first.k} batches in flight but mode ${other.mode} ${other.k}; an engine's modes must agree on their pipeline depth`);
  }
  return first?.k ?? 1;
}

/**
 * The smallest copy of the model a mode can be traced on: 1 layer, or one layer per stage for a
 * pipeline (fewer layers than stages would leave a stage empty).
 */
export function layerUnitOf(shape: CostShape): number {
  // The stage count, as batchesInFlight: both are one per stage.
  return batchesInFlight(shape);
}
