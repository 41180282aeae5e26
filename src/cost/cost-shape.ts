/**
 * How a strategy's per-rank times make one iteration's time, declared by the strategy for each
 * mode (Strategy.costShape; default synchronous):
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
 * The iteration time from each rank's time (by rank), and the ranks on its critical path: the
 * slowest rank(s) (synchronous), or the slowest rank(s) of every stage (pipeline).
 */
export function combineRankTimes(shape: CostShape, rankTime: readonly number[]): { time: number; critical: number[] } {
  if (shape.kind === 'synchronous') {
    const time = Math.max(0, ...rankTime);
    return { time, critical: rankTime.flatMap((t, r) => (t === time ? [r] : [])) };
  }
  let sum = 0;
  let slowest = 0;
  const critical: number[] = [];
  for (const ranks of shape.stages) {
    const stage = Math.max(...ranks.map((r) => rankTime[r]!));
    sum += stage;
    slowest = Math.max(slowest, stage);
    critical.push(...ranks.filter((r) => rankTime[r] === stage));
  }
  return { time: sum + (shape.batchesInFlight - 1) * slowest, critical };
}
