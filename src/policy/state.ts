import type { Batch } from '../model/batch.ts';
import { HISTORY, type IterationState, PolicyError, type ModeId, type ModeRoles } from './types.ts';

export type CostOracle = (mode: ModeId) => number;

const noOracle: CostOracle = () => {
  throw new PolicyError('this policy asks for predicted iteration times, but no cost model is attached here');
};

/**
 * The roles a state carries when no switching block gave any (states built by hand, in tests or
 * user code): Shift's, the one switching strategy the built-in presets were written for.
 */
const SHIFT_ROLES: ModeRoles = { latency: 'tp', throughput: 'sp' };

/** What a scheduler knows about an iteration, without token ids (the simulator's view). */
export interface IterationSummary {
  /** Tokens scheduled per sequence, in batch order. */
  readonly chunks: readonly number[];
  /** Of all scheduled tokens, those that are generated ones (decodes). */
  readonly decodeTokens: number;
  readonly waiting: number;
  readonly kvUsage: number;
}

/** The state a policy sees for an iteration summary, given the modes of earlier iterations. */
export function iterationStateOf(s: IterationSummary, iteration: number, history: readonly ModeId[], oracle: CostOracle = noOracle, modes: readonly ModeId[] = [], roles: ModeRoles = SHIFT_ROLES): IterationState {
  let totalTokens = 0;
  let maxChunk = 0;
  for (const c of s.chunks) {
    totalTokens += c;
    if (c > maxChunk) maxChunk = c;
  }
  return {
    iteration,
    prefillTokens: totalTokens - s.decodeTokens,
    decodeTokens: s.decodeTokens,
    totalTokens,
    seqs: s.chunks.length,
    chunks: s.chunks,
    maxChunk,
    waiting: s.waiting,
    kvUsage: s.kvUsage,
    modes,
    roles,
    history: history.length > HISTORY ? history.slice(-HISTORY) : history.slice(),
    predict: oracle,
  };
}

/** The state a policy sees for `batch`, given the modes of earlier iterations. */
export function iterationState(batch: Batch, iteration: number, history: readonly ModeId[], oracle: CostOracle = noOracle, modes: readonly ModeId[] = [], roles: ModeRoles = SHIFT_ROLES): IterationState {
  const chunks = batch.seqs.map((s) => s.tokens.length);
  // As the scheduler counts them: one-token steps of a generated token (a recompute's chunk is not a decode).
  const decodeTokens = batch.seqs.filter((s) => s.decode && s.tokens.length === 1).length;
  return iterationStateOf({ chunks, decodeTokens, waiting: batch.waiting ?? 0, kvUsage: batch.kvUsage ?? 0 }, iteration, history, oracle, modes, roles);
}
