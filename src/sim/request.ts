/**
 * A request inside the simulated engine, vLLM V1 style: no prefill/decode phases, just how many
 * of its tokens have KV computed. Its known tokens are the prompt plus what it generated; a step
 * schedules `tokens − computed` of them (a prefill chunk, a recompute after preemption, or the
 * one decode token), and samples a new token when it reaches `tokens`.
 */
export class SimRequest {
  /** Tokens whose KV is in the cache. */
  computed = 0;
  /** Output tokens generated so far. */
  generated = 0;
  /** KV blocks held. */
  blocks = 0;
  /** Simulated seconds of the first and the latest generated token (−1: none yet). */
  firstToken = -1;
  lastToken = -1;
  preemptions = 0;
  /** Prompt tokens found in the prefix cache when last scheduled from the waiting queue. */
  cachedTokens = 0;

  constructor(
    readonly id: number,
    readonly arrival: number,
    readonly input: number,
    readonly output: number,
    readonly replica: number,
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
