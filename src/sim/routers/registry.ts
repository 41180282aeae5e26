import { SimConfigError } from '../errors.ts';
import { leastOutstanding } from './least-outstanding.ts';
import { roundRobin } from './round-robin.ts';
import type { Router } from './types.ts';

/** DP routers: one file each, one line here. Each call makes a fresh router (routers keep state). */
const ROUTERS = {
  'round-robin': roundRobin,
  'least-outstanding': leastOutstanding,
} as const satisfies Record<string, () => Router>;

export type RouterName = keyof typeof ROUTERS;

export function routerNames(): RouterName[] {
  return Object.keys(ROUTERS) as RouterName[];
}

export function createRouter(name: string): Router {
  const make = ROUTERS[name as RouterName];
  if (!make) throw new SimConfigError(`router: unknown router '${name}'; known: ${routerNames().join(', ')}`);
  return make();
}
