import { MetaComm } from '../comm/meta.ts';
import type { Batch, SeqWork } from '../model/batch.ts';
import type { ModelConfig } from '../model/config.ts';
import { SeededWeights } from '../model/weights.ts';
import { type MetaDtypes, MetaOps } from '../ops/meta.ts';
import { type OpRecord, Trace } from '../ops/trace.ts';
import { numel } from '../ops/types.ts';
import type { Mode } from '../parallel/mode.ts';
import type { ParallelConfig, RankModel, Strategy } from '../strategies/types.ts';

/**
 * Runs a strategy's own rank code on the meta backends (MetaOps + MetaComm) and returns the op
 * records of one iteration on a given rank: the cost model prices exactly what the executor
 * would do. Every rank can be traced (no symmetry is assumed here; TraceCache groups ranks whose
 * traces it found equal). Layers are identical, so a rank model is built for a u-layer and a
 * 2u-layer copy of the config (u = 1, or one layer per pipeline stage) and the cost of L layers
 * is Tu + (L/u − 1)·(T2u − Tu). Weights are never materialised: the meta backend does not call
 * fill callbacks.
 */

/** One block per sequence in traced batches: block tables stay one entry long. */
const TRACE_BLOCK = 1 << 30;

/**
 * MetaOps for tracing: also sums the bytes of the weights a rank loads (both copies for Shift),
 * and lets the lead rank "download" its logits (a small host copy the cost model ignores; the
 * meta backend itself refuses, having no numbers).
 */
class TracingOps extends MetaOps {
  weightBytes = 0;

  override weight(shape: readonly number[]): ReturnType<MetaOps['weight']> {
    const t = super.weight(shape);
    this.weightBytes += numel(shape) * t.elem;
    return t;
  }

  override download(): Float32Array {
    return new Float32Array(0);
  }
}

interface TracedRank {
  readonly trace: Trace;
  readonly model: RankModel;
  readonly weightBytes: number;
}

export interface TracerOptions {
  readonly model: ModelConfig;
  readonly strategy: Strategy;
  readonly parallel: ParallelConfig;
  readonly dtypes: MetaDtypes;
}

export class StrategyTracer {
  /** Rank models by `${layers}:${rank}`. */
  private readonly ranks = new Map<string, TracedRank>();

  constructor(private readonly o: TracerOptions) {}

  get world(): number {
    return this.o.parallel.world;
  }

  /** The records of one iteration of `tokens` tokens, `sampled` of whose sequences sample, on `rank`. */
  trace(layers: number, mode: Mode, tokens: number, sampled: number, rank = 0): OpRecord[] {
    return this.traceBatch(layers, mode, syntheticBatch(tokens, sampled), rank);
  }

  /** The records of one iteration of a given batch on `rank` (its block tables are not used on meta). */
  traceBatch(layers: number, mode: Mode, batch: Batch, rank = 0): OpRecord[] {
    const r = this.rank(layers, rank);
    r.trace.records.length = 0;
    r.model.forward(batch, mode);
    return r.trace.records.slice();
  }

  /** The records of one iteration of a given batch on every rank, by rank. */
  traceEveryRank(layers: number, mode: Mode, batch: Batch): OpRecord[][] {
    return Array.from({ length: this.world }, (_, rank) => this.traceBatch(layers, mode, batch, rank));
  }

  /** Bytes of weights `rank` holds for the full model (every mode's copy). */
  weightBytes(rank = 0): number {
    return this.rank(this.o.model.layers, rank).weightBytes;
  }

  private rank(layers: number, rank: number): TracedRank {
    const key = `${layers}:${rank}`;
    let r = this.ranks.get(key);
    if (r) return r;
    const trace = new Trace();
    const ops = new TracingOps(trace, this.o.dtypes);
    const model = { ...this.o.model, layers };
    const rankModel = this.o.strategy.createRank({
      rank,
      ops,
      comm: new MetaComm(rank, this.o.parallel.world, trace, ops),
      model,
      // Shard loading asks the source for data only inside fill callbacks, which the meta
      // backend never calls: tracing never generates a weight.
      weights: new SeededWeights(model, 0),
      parallel: this.o.parallel,
      kvBlocks: 1,
      blockSize: TRACE_BLOCK,
      order: 'full-tp',
    });
    r = { trace, model: rankModel, weightBytes: ops.weightBytes };
    this.ranks.set(key, r);
    return r;
  }
}

/**
 * A batch of the right shape for the non-attention ops, which depend only on the token count N
 * and the number of sampling sequences B: B − 1 one-token sequences and one of N − B + 1 tokens
 * (or a single non-sampling sequence when B = 0). Attention is priced separately from the real
 * (query, context) lengths, so the split of tokens between sequences does not matter here.
 */
export function syntheticBatch(tokens: number, sampled: number): Batch {
  if (sampled > tokens) throw new RangeError(`a batch of ${tokens} tokens cannot have ${sampled} sampling sequences`);
  const seq = (id: number, n: number, sample: boolean): SeqWork => ({
    id, replica: 0, tokens: new Array<number>(n).fill(0), start: 0, blockTable: [0], sample, decode: false,
  });
  if (sampled === 0) return { seqs: tokens > 0 ? [seq(0, tokens, false)] : [] };
  const seqs = Array.from({ length: sampled - 1 }, (_, i) => seq(i, 1, true));
  seqs.push(seq(sampled - 1, tokens - sampled + 1, true));
  return { seqs };
}
