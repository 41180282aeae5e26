import type { PrefillChunk } from '../cost/attention.ts';
import type { IterationShape } from '../cost/iteration.ts';
import type { Batch } from '../model/batch.ts';

/**
 * The shape the cost model prices for an executor batch: the same numbers the scheduler's output
 * carries for the simulator (a one-token step of a generated token is a decode attending to its
 * context; anything else is a chunk of q tokens ending at context ctx).
 */
export function shapeOfBatch(batch: Batch): IterationShape {
  let tokens = 0;
  let sampled = 0;
  let decodes = 0;
  let decodeContext = 0;
  const chunks: PrefillChunk[] = [];
  for (const s of batch.seqs) {
    const n = s.tokens.length;
    tokens += n;
    if (s.sample) sampled++;
    if (n === 1 && s.decode) {
      decodes++;
      decodeContext += s.start + 1;
    } else {
      chunks.push({ q: n, ctx: s.start + n });
    }
  }
  return { tokens, sampled, seqs: batch.seqs.length, decodes, decodeContext, chunks };
}
