import type { CostShape } from '../parallel/cost-shape.ts';

export { type CostShape, CostShapeError, SYNCHRONOUS, batchesInFlight, checkCostShape, layerUnitOf } from '../parallel/cost-shape.ts';

/**
 * One iteration's time from each rank's time (by rank), and the ranks on its critical path: the
 * slowest rank(s) (synchronous), or the sum of the stages, each its slowest rank(s) (pipeline:
 * one batch's latency; the engine overlaps batches, see parallel/cost-shape.ts).
 */
export function combineRankTimes(shape: CostShape, rankTime: readonly number[]): { time: number; critical: number[] } {
  if (shape.kind === 'synchronous') {
    const time = Math.max(0, ...rankTime);
    return { time, critical: rankTime.flatMap((t, r) => (t === time ? [r] : [])) };
  }
  let sum = 0;
  const critical: number[] = [];
  for (const ranks of shape.stages) {
    const stage = Math.max(...ranks.map((r) => rankTime[r]!));
    sum += stage;
    critical.push(...ranks.filter((r) => rankTime[r] === stage));
  }
  return { time: sum, critical };
}
