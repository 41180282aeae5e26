import { ParallelConfigError } from '../parallel/mode.ts';
import { dp } from './dp.ts';
import { shift } from './shift.ts';
import { sp } from './sp.ts';
import { tp } from './tp.ts';
import type { ParallelConfig, Strategy, StrategyName } from './types.ts';

const STRATEGIES: Record<StrategyName, Strategy> = { tp, dp, sp, shift };

export function strategyNames(): StrategyName[] {
  return Object.keys(STRATEGIES) as StrategyName[];
}

export function getStrategy(name: string): Strategy {
  const s = STRATEGIES[name as StrategyName];
  if (!s) throw new ParallelConfigError(`unknown strategy '${name}'; known: ${strategyNames().join(', ')}`);
  return s;
}

/**
 * The (s, t) of a strategy on P ranks from optional --sp / --tp. TP uses t = P; DP defaults to
 * t = 1 (P replicas); SP and Shift default to s = P, t = 1 and derive a missing one from P.
 */
export function resolveParallel(strategy: StrategyName, world: number, sp?: number, tp?: number): ParallelConfig {
  if (!Number.isInteger(world) || world < 1) throw new ParallelConfigError(`world size must be a positive integer, got ${world}`);
  switch (strategy) {
    case 'tp':
      if ((sp ?? 1) !== 1 || (tp ?? world) !== world) {
        throw new ParallelConfigError(`strategy tp runs TP = world = ${world}; got --sp ${sp ?? 1} --tp ${tp ?? world}`);
      }
      return { world, sp: 1, tp: world };
    case 'dp':
      if ((sp ?? 1) !== 1) throw new ParallelConfigError(`strategy dp has no SP degree; got --sp ${sp}`);
      if (world % (tp ?? 1) !== 0) {
        throw new ParallelConfigError(`DP replicas of TP ${tp} do not divide the world size ${world}`);
      }
      return { world, sp: 1, tp: tp ?? 1 };
    case 'sp':
    case 'shift': {
      const s = sp ?? (tp === undefined ? world : world / tp);
      const t = tp ?? world / s;
      if (!Number.isInteger(s) || !Number.isInteger(t) || s * t !== world) {
        throw new ParallelConfigError(`SP ${sp ?? s} × TP ${tp ?? t} = ${(sp ?? s) * (tp ?? t)} does not equal the world size ${world}`);
      }
      return { world, sp: s, tp: t };
    }
  }
}
