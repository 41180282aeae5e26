import type { HardwareProfile } from '../../cost/profile.ts';
import type { ModelConfig } from '../../model/config.ts';
import type { EngineConfig } from './schema.ts';

/** What resolving an experiment's points needs of its config (resolve.ts, resolve-system.ts). */
export interface ResolveContext {
  readonly model: ModelConfig;
  readonly profile: HardwareProfile;
  readonly gpusPerNode: number;
  readonly dtype: 'fp8' | 'bf16';
  readonly kv_dtype: 'fp8' | 'bf16';
  readonly engine: EngineConfig;
  readonly seed: string | number;
  readonly baseDir: string;
  readonly tracesDirs: readonly string[];
}
