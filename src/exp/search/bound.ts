import type { HardwareProfile } from '../../cost/profile.ts';
import { createDeployment } from '../../sim/index.ts';
import type { ResolvedSystem } from '../config/resolved-system.ts';
import { simSpec } from '../sim-spec.ts';

/**
 * The one bound a search prunes by. A request's TPOT is (e2e − TTFT) / (output − 1): each token
 * after the first takes at least one engine iteration, and no iteration is shorter than a
 * decode step of one sequence with a one-token context in the fastest mode (the cost model
 * grows with tokens, sequences and context). So when that step exceeds the p99 TPOT target,
 * every request with two or more output tokens misses it, at any rate: the candidate's capacity
 * is 0 and it cannot win. Returns that step in milliseconds.
 */
export async function decodeStepFloorMs(system: ResolvedSystem, model: string, profile: HardwareProfile): Promise<number> {
  // The policy changes which mode runs, not what a mode's step costs: every mode is priced.
  const d = await createDeployment(simSpec(system, model, profile, undefined));
  const step = { tokens: 1, sampled: 1, seqs: 1, decodes: 1, decodeContext: 1, chunks: [] };
  return Math.min(...d.cost.modes.map((_, i) => d.cost.time(i, step))) * 1000;
}
