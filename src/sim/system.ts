import { defaultCaptureSizes } from '../cost/cuda-graph.ts';
import { IterationCostModel } from '../cost/iteration.ts';
import { type MemoryPlan, planMemory } from '../cost/memory.ts';
import type { HardwareProfile } from '../cost/profile.ts';
import { getProfile } from '../cost/profiles/index.ts';
import { assertSwitchingKeepsKv } from '../strategies/deployment.ts';
import { getModel } from '../model/catalog.ts';
import type { ModelConfig } from '../model/config.ts';
import type { MetaDtypes } from '../ops/meta.ts';
import { validateMode } from '../parallel/mode.ts';
import type { SwitchPolicy } from '../policy/types.ts';
import { getStrategy, resolveParallel, strategiesWith } from '../strategies/registry.ts';
import type { ParallelConfig } from '../strategies/types.ts';
import { SimConfigError } from './errors.ts';
import { createRouter } from './routers/registry.ts';
import type { Router } from './routers/types.ts';
import { type EngineSettings, resolveEngineSettings } from './settings.ts';
import type { SystemSpec } from './types.ts';

/** A SystemSpec resolved into everything the event loop needs. */
export interface Deployment {
  readonly spec: SystemSpec;
  readonly model: ModelConfig;
  readonly profile: HardwareProfile;
  readonly parallel: ParallelConfig;
  readonly settings: EngineSettings;
  readonly cost: IterationCostModel;
  readonly memory: MemoryPlan;
  /** Engines: DP replicas, or 1. */
  readonly replicas: number;
  readonly policy: SwitchPolicy | null;
  readonly router: Router;
}

const BYTES = { fp8: 1, bf16: 2 } as const;

function isPolicy(p: unknown): p is SwitchPolicy {
  return typeof p === 'object' && p !== null && typeof (p as SwitchPolicy).decide === 'function';
}

/**
 * Validates a spec (every mode of the strategy with validateMode, the node size, the engine
 * settings), builds the cost model and the memory plan. Errors name the spec key to change.
 */
export async function createDeployment(spec: SystemSpec): Promise<Deployment> {
  const where = (key: string): string => `system '${spec.name}': ${key}`;
  const model = getModel(spec.model);
  const profile = typeof spec.hardware === 'string' ? getProfile(spec.hardware) : spec.hardware;
  if (spec.world > profile.gpus_per_node) {
    throw new SimConfigError(`${where('world')} ${spec.world} GPUs exceed one ${profile.name} node (${profile.gpus_per_node}); the cost model has intra-node collectives only`);
  }
  const strategy = getStrategy(spec.strategy);
  const parallel = resolveParallel(spec.strategy, spec.world, spec.sp, spec.tp);
  // Every mode must hold whole heads on every rank.
  for (const mode of strategy.modes(model, parallel)) validateMode(mode, parallel.world);
  // A strategy that switches must also prove that switching moves no KV (the verifier of src/kv).
  assertSwitchingKeepsKv(strategy, model, parallel);
  const settings = resolveEngineSettings(spec.engine);
  for (const key of ['weightDtype', 'kvDtype'] as const) {
    const v = spec[key];
    if (v !== undefined && !(v in BYTES)) throw new SimConfigError(`${where(key)} must be 'fp8' or 'bf16', got '${v}'`);
  }
  const dtypes: MetaDtypes = { weightBytes: BYTES[spec.weightDtype ?? 'bf16'], actBytes: 2, kvBytes: BYTES[spec.kvDtype ?? 'bf16'] };
  const cost = new IterationCostModel({
    model, strategy: spec.strategy, parallel, profile, dtypes,
    captureSizes: settings.cuda_graphs ? defaultCaptureSizes(settings.max_num_batched_tokens) : [],
    ...(spec.traces ? { traces: spec.traces } : {}),
  });
  const memory = planMemory(cost, {
    model, memoryBytes: profile.memory_bytes, kvElementBytes: dtypes.kvBytes, gpuMemoryUtilization: settings.gpu_memory_utilization,
    maxNumBatchedTokens: settings.max_num_batched_tokens, maxNumSeqs: settings.max_num_seqs, blockSize: settings.block_size,
    ...(settings.num_gpu_blocks_override !== undefined ? { blocksOverride: settings.num_gpu_blocks_override } : {}),
  });
  let policy: SwitchPolicy | null = null;
  if (cost.modes.length > 1) {
    // No policy given: the switching block's default (a multi-mode strategy must declare one).
    const p = spec.policy ?? strategy.switching?.defaultPolicy;
    if (p === undefined) throw new SimConfigError(`${where('strategy')} strategy '${spec.strategy}' has ${cost.modes.length} modes but no switching block to choose among them`);
    if (isPolicy(p)) policy = p;
    else {
      // Loaded on demand: the registry pulls in every built-in policy (and mathjs for 'expr').
      const { createPolicy } = await import('../policy/registry.ts');
      policy = await createPolicy(p, { where: ['policy'] });
    }
  } else if (spec.policy !== undefined) {
    throw new SimConfigError(`${where('policy')} only ${strategiesWith('switching').join(', ')} switch modes; strategy '${spec.strategy}' has one mode`);
  }
  if (spec.router !== undefined && !strategy.routed) throw new SimConfigError(`${where('router')} only ${strategiesWith('routed').join(', ')} have replicas to route to`);
  return {
    spec, model, profile, parallel, settings, cost, memory, policy,
    replicas: strategy.replicas(parallel),
    router: createRouter(spec.router ?? 'least-outstanding'),
  };
}
