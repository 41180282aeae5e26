import type { PolicySpec } from '../../policy/registry.ts';
import type { RouterName } from '../../sim/index.ts';
import type { StrategyName } from '../../strategies/types.ts';
import type { EngineConfig } from './schema.ts';

// Plain data, in a file of its own: the config resolver produces it, the simulator adapter
// (sim-spec.ts, run-point.ts) and the unit files read it, and none of them imports another for it.

/** A system of one point, every default filled in: what the simulator adapter runs. */
export interface ResolvedSystem {
  readonly name: string;
  /** Index in the config's `systems` list (several when it was expanded). */
  readonly template: number;
  readonly strategy: StrategyName;
  readonly world: number;
  readonly sp: number;
  readonly tp: number;
  /** Strategies with a switching block only. */
  readonly policy?: PolicySpec;
  /** Strategies that route over replicas only. */
  readonly router?: RouterName;
  readonly dtype: 'fp8' | 'bf16';
  readonly kv_dtype: 'fp8' | 'bf16';
  readonly engine: EngineConfig;
}
