import type { Router } from './types.ts';

/**
 * The replica with the fewest outstanding (waiting + running) requests; ties go to the lowest
 * index, so routing is deterministic.
 */
export function leastOutstanding(): Router {
  return {
    name: 'least-outstanding',
    route(_request, replicas) {
      let best = 0;
      let load = Infinity;
      for (const r of replicas) {
        const l = r.waitingCount + r.runningCount;
        if (l < load) {
          load = l;
          best = r.index;
        }
      }
      return best;
    },
  };
}
