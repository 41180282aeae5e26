/**
 * A sequence inside the engine, vLLM V1 style: no prefill/decode phases, just how many of its
 * tokens have KV computed. Its known tokens are the prompt plus what it generated; a step
 * schedules `tokens − computed` of them (a prefill chunk, a recompute after preemption, or the
 * one decode token), and samples a new token when it reaches `tokens`. The simulator only counts
 * (SimRequest extends this with times); the executor keeps the token ids beside it.
 */
export class EngineSeq {
  /** Tokens whose KV is in the cache. */
  computed = 0;
  /** Output tokens generated so far. */
  generated = 0;
  /** KV block ids held, in position order (the paged block table; empty in a counting pool). */
  readonly blockTable: number[] = [];
  /** KV blocks held (the table's length in a pool that hands out ids). */
  blocks = 0;
  preemptions = 0;
  /** Prompt tokens found in the prefix cache when last scheduled from the waiting queue. */
  cachedTokens = 0;
  /** Part of a batch that is still in flight (pipelined engines): not schedulable again yet. */
  inFlight = false;

  constructor(
    readonly id: number,
    readonly input: number,
    readonly output: number,
    readonly hashIds?: readonly number[],
  ) {}

  /** Prompt plus generated tokens. */
  get tokens(): number {
    return this.input + this.generated;
  }

  get finished(): boolean {
    return this.generated >= this.output;
  }
}

/**
 * The most KV positions a sequence of `input` prompt and `output` new tokens ever holds: the
 * last generated token is sampled but never written to the cache. A sequence whose peak does not
 * fit an engine's pool can never finish there (the scheduler would preempt it forever).
 */
export function peakKvTokens(input: number, output: number): number {
  return input + output - 1;
}

/** Whether `count` tokens scheduled for a sequence with `computed` of `input` prompt tokens in the cache are a decode: one generated token attending to its context. */
export function isDecodeStep(count: number, computed: number, input: number): boolean {
  return count === 1 && computed >= input;
}
