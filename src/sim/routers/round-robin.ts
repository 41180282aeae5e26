import type { Router } from './types.ts';

/** Replica 0, 1, …, R−1, 0, … in arrival order, blind to load. */
export function roundRobin(): Router {
  let next = 0;
  return {
    name: 'round-robin',
    route(_request, replicas) {
      const i = next % replicas.length;
      next = i + 1;
      return i;
    },
  };
}
