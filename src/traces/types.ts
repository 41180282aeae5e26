/**
 * One request of a workload, as every trace loader and generator yields it and the serving
 * simulator consumes it. Streams are in arrival order and may be unbounded in length.
 */
export interface TraceRequest {
  /** 0-based, in arrival order. */
  readonly id: number;
  /** Seconds since the start of the (windowed) workload. */
  readonly arrival: number;
  /** Prompt tokens. */
  readonly input: number;
  /** Tokens to generate (EOS ignored, as in the paper's benchmarks). */
  readonly output: number;
  /** Prefix-block hashes, when the trace has them (Mooncake: one per 512 tokens). */
  readonly hashIds?: readonly number[];
}

export type RequestStream = AsyncIterable<TraceRequest>;
