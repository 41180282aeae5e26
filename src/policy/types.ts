/** The two layouts a Shift deployment switches between: full TP, or the SP (s, t) base. */
export type SwitchMode = 'tp' | 'sp';

/**
 * What a switching policy sees about the iteration about to run. Plain data, except
 * `predict`, the cost oracle: the predicted time of this iteration in each mode.
 */
export interface IterationState {
  readonly iteration: number;
  /** Prompt tokens scheduled (prefill chunks). */
  readonly prefillTokens: number;
  /** Generated tokens scheduled (one per decoding sequence). */
  readonly decodeTokens: number;
  readonly totalTokens: number;
  readonly seqs: number;
  /** Tokens scheduled per sequence, in batch order. */
  readonly chunks: readonly number[];
  readonly maxChunk: number;
  /** Requests waiting to be scheduled. */
  readonly waiting: number;
  /** Fraction of KV blocks in use, 0..1. */
  readonly kvUsage: number;
  /** Modes of recent iterations, oldest first (at most HISTORY entries). */
  readonly history: readonly SwitchMode[];
  /** Predicted seconds of this iteration in `mode`; throws PolicyError where no cost model is attached. */
  predict(mode: SwitchMode): number;
}

export interface SwitchPolicy {
  readonly name: string;
  decide(state: IterationState): SwitchMode;
}

export const HISTORY = 64;

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}
