import type { RequestStream, TraceRequest } from '../traces/types.ts';

/** A stream over requests already in memory (tests, small synthetic workloads). */
export async function* fromArray(requests: readonly TraceRequest[]): RequestStream {
  yield* requests;
}

/**
 * `count` identical requests, `input` prompt and `output` generated tokens each, arriving every
 * `gap` seconds from 0 (gap 0: all at once, the paper's peak-throughput setup). Lazy.
 */
export async function* synthetic(o: { count: number; input: number; output: number; gap?: number }): RequestStream {
  for (let id = 0; id < o.count; id++) yield { id, arrival: id * (o.gap ?? 0), input: o.input, output: o.output };
}
