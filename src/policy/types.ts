import type { z } from 'zod';
import type { ModeId, ModeRoles } from '../parallel/mode.ts';

export type { ModeId, ModeRoles } from '../parallel/mode.ts';

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
  /** The mode ids the policy may choose among (the strategy's switching block); empty where unknown. */
  readonly modes: readonly ModeId[];
  /** Which mode serves small iterations (latency) and which large ones (throughput), as the switching block declares. */
  readonly roles: ModeRoles;
  /** Modes of recent iterations, oldest first (at most HISTORY entries). */
  readonly history: readonly ModeId[];
  /** Predicted seconds of this iteration in `mode`; throws PolicyError where no cost model is attached. */
  predict(mode: ModeId): number;
}

export interface SwitchPolicy {
  readonly name: string;
  decide(state: IterationState): ModeId;
}

export const HISTORY = 64;

export class PolicyError extends Error {
  override readonly name: string = 'PolicyError';
}

/**
 * Params that break a policy's schema. `issues` are zod's, their paths relative to where the
 * params sit in the policy spec: `at` ([] for a built-in, whose params are the spec's other
 * keys; ['params'] for a user module), so callers can report each at its own key path.
 */
export class PolicyParamsError extends PolicyError {
  override readonly name = 'PolicyParamsError';
  constructor(
    message: string,
    readonly at: readonly string[],
    readonly schema: z.ZodType,
    readonly params: unknown,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(message);
  }
}
