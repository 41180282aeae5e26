// The plain data of one engine iteration. It lives in model/ (the lowest layer that needs it:
// the reference forward reads it) so that model, kv, policy and cost read it without importing
// strategies/.

/** One sequence's work in an iteration, as the scheduler hands it to the executor. */
export interface SeqWork {
  readonly id: number;
  /** DP replica that owns the sequence (0 for other strategies). */
  readonly replica: number;
  /** Token ids scheduled this iteration (a prefill chunk, or one decode token). */
  readonly tokens: readonly number[];
  /** Tokens of this sequence already in the KV cache (the position of tokens[0]). */
  readonly start: number;
  /** KV blocks of the sequence, covering start + tokens.length positions. */
  readonly blockTable: readonly number[];
  /** Whether the last scheduled token produces a next token (end of prefill, or decode). */
  readonly sample: boolean;
  /** True when the scheduled token is a generated one (decode), false for prompt tokens. */
  readonly decode: boolean;
}

/** One engine iteration: plain data, readable by the executor, policies and the cost model. */
export interface Batch {
  readonly seqs: readonly SeqWork[];
  /** Requests waiting to be scheduled, for switching policies. */
  readonly waiting?: number;
  /** Fraction of KV blocks in use, for switching policies. */
  readonly kvUsage?: number;
}
