/**
 * How a strategy's per-rank times make one iteration's time, declared by the strategy for each
 * mode (Strategy.costShape; default synchronous). Plain data here, so that strategies can
 * declare it without importing the cost model, which prices it (src/cost/cost-shape.ts):
 *
 *   synchronous   every rank works on the same batch and meets the others in collectives, so
 *                 the iteration takes as long as its slowest rank: max over ranks.
 *   pipeline      stages (sets of ranks) that hand activations on point-to-point, with
 *                 `batchesInFlight` micro-batches: the first micro-batch crosses every stage, each
 *                 further one leaves one bottleneck-stage time later,
 *                     T = Σ_k stage_k + (m − 1) · max_k stage_k
 *                 (with S equal stages t: (S + m − 1)·t, the GPipe bubble of S − 1 stage times;
 *                 Huang et al., GPipe, arXiv 1811.06965). A stage's time is its slowest rank's.
 */
export type CostShape =
  | { readonly kind: 'synchronous' }
  | { readonly kind: 'pipeline'; readonly stages: readonly (readonly number[])[]; readonly batchesInFlight: number };

export const SYNCHRONOUS: CostShape = { kind: 'synchronous' };

export class CostShapeError extends Error {
  override readonly name = 'CostShapeError';
}

/** The ranks of a pipeline's stages must be disjoint ranks of the world, and m ≥ 1. */
export function checkCostShape(shape: CostShape, world: number): void {
  if (shape.kind === 'synchronous') return;
  if (!Number.isInteger(shape.batchesInFlight) || shape.batchesInFlight < 1) {
    throw new CostShapeError(`a pipeline cost shape needs batchesInFlight ≥ 1 (an integer), got ${shape.batchesInFlight}`);
  }
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


/**
 * The smallest copy of the model a mode can be traced on: 1 layer, or one layer per stage for a
 * pipeline (fewer layers than stages would leave a stage empty).
 */
export function layerUnitOf(shape: CostShape): number {
  return shape.kind === 'pipeline' ? shape.stages.length : 1;
}
