import type { Batch } from '../strategies/types.ts';
import { HISTORY, type IterationState, PolicyError, type SwitchMode } from './types.ts';

export type CostOracle = (mode: SwitchMode) => number;

const noOracle: CostOracle = () => {
  throw new PolicyError('this policy asks for predicted iteration times, but no cost model is attached here');
};

/** The state a policy sees for `batch`, given the modes of earlier iterations. */
export function iterationState(batch: Batch, iteration: number, history: readonly SwitchMode[], oracle: CostOracle = noOracle): IterationState {
  const chunks = batch.seqs.map((s) => s.tokens.length);
  const decodeTokens = batch.seqs.filter((s) => s.decode).reduce((a, s) => a + s.tokens.length, 0);
  const totalTokens = chunks.reduce((a, b) => a + b, 0);
  return {
    iteration,
    prefillTokens: totalTokens - decodeTokens,
    decodeTokens,
    totalTokens,
    seqs: batch.seqs.length,
    chunks,
    maxChunk: Math.max(0, ...chunks),
    waiting: batch.waiting ?? 0,
    kvUsage: batch.kvUsage ?? 0,
    history: history.slice(-HISTORY),
    predict: oracle,
  };
}
