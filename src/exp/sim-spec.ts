import type { HardwareProfile } from '../cost/profile.ts';
import type { SwitchPolicy } from '../policy/types.ts';
import { type SystemSpec, createDeployment } from '../sim/index.ts';
import type { ResolvedSystem } from './config/resolved-system.ts';

/** The simulator's SystemSpec of a resolved system (run-point.ts runs it; the config loader checks it). */
export function simSpec(system: ResolvedSystem, model: string, hardware: string | HardwareProfile, policy: SwitchPolicy | undefined): SystemSpec {
  return {
    name: system.name,
    strategy: system.strategy,
    world: system.world,
    sp: system.sp,
    tp: system.tp,
    model,
    hardware,
    weightDtype: system.dtype,
    kvDtype: system.kv_dtype,
    ...(policy === undefined ? {} : { policy }),
    ...(system.router === undefined ? {} : { router: system.router }),
    engine: system.engine,
  };
}

/**
 * Builds the simulator's deployment (cost model, memory plan) without running it, so a config
 * that cannot run (weights that do not fit, a node too small, bad engine settings) is refused
 * when it is loaded. Throws the simulator's error.
 */
export async function checkDeployment(system: ResolvedSystem, model: string, hardware: HardwareProfile, policy: SwitchPolicy | undefined): Promise<void> {
  await createDeployment(simSpec(system, model, hardware, policy));
}
