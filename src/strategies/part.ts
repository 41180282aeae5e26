import type { HeadShard } from '../kv/heads.ts';
import type { Batch } from '../model/batch.ts';
import type { Mode } from '../parallel/mode.ts';
import { type FlatBatch, flatten } from './batch.ts';
import type { RankContext, RankModel } from './types.ts';

/** How one rank runs the model in one mode: the heads it attends over, and its forward. */
export interface ModePart<T, C> {
  readonly mode: Mode;
  readonly heads: HeadShard;
  /** Logits [B, V] of the sampling rows, or null when nothing samples this iteration. */
  forward(flat: FlatBatch, cache: C): T | null;
}

/**
 * A rank holding one KV cache shared by all of its modes (Shift: two), sized for the KV heads
 * and the layers of its first mode: a rank holding layers [start, end) has a cache of end − start
 * layers, and its parts index it from 0 (cache layer l is model layer start + l). Lead ranks
 * report logits; in DP each replica's first rank is a lead.
 */
export function rankModel<T, C>(ctx: RankContext<T, C>, parts: readonly ModePart<T, C>[], lead: boolean, replica?: number): RankModel {
  const { ops, model: m } = ctx;
  const first = parts[0]!;
  const held = first.mode.kv[ctx.rank]!.layers;
  const cache = ops.createKvCache({
    layers: held.end - held.start,
    blocks: ctx.kvBlocks,
    blockSize: ctx.blockSize,
    kvHeads: first.heads.kvHeads.length,
    headDim: m.headDim,
  });
  const partFor = (mode: Mode): ModePart<T, C> => {
    const part = parts.find((p) => p.mode.id === mode.id);
    if (!part) throw new Error(`rank ${ctx.rank} has no model for mode '${mode.id}'`);
    return part;
  };
  return {
    forward(batch: Batch, mode: Mode) {
      const flat = flatten(batch, ctx.blockSize, replica);
      if (flat.ids.length === 0) return {};
      // Downloaded inside the scope (which then frees every tensor of the step).
      let data: Float32Array | null = null;
      ops.scope(() => {
        const logits = partFor(mode).forward(flat, cache);
        if (logits && lead) data = ops.download(logits);
      });
      return data ? { logits: { seqIds: flat.sampleIds, data, vocab: m.vocab } } : {};
    },
    kvHeads: (mode) => partFor(mode).heads,
    readKv: () => ops.readKv(cache),
  };
}
