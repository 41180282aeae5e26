import type { ModelConfig } from '../model/config.ts';
import type { MetaDtypes } from '../ops/meta.ts';
import type { OpRecord } from '../ops/trace.ts';
import type { Mode, ModeId } from '../parallel/mode.ts';
import { getStrategy } from '../strategies/registry.ts';
import type { ParallelConfig, StrategyName } from '../strategies/types.ts';
import { type AttentionHeads, type PrefillChunk, attentionTime } from './attention.ts';
import { type Breakdown, BreakdownSum } from './breakdown.ts';
import { defaultCaptureSizes, paddedTokens } from './cuda-graph.ts';
import { priceRecords } from './price-records.ts';
import type { HardwareProfile } from './profile.ts';
import { TraceCache, traceKeyOf } from './trace-cache.ts';

/**
 * The shape of one engine iteration on one engine (a DP replica, or the whole deployment),
 * as the scheduler produced it. Plain data.
 */
export interface IterationShape {
  /** Tokens scheduled (N). */
  readonly tokens: number;
  /** Sequences whose last scheduled token samples a new token (B). */
  readonly sampled: number;
  /** Sequences in the batch (the engine's CPU time grows with it). */
  readonly seqs: number;
  /** Decoding sequences (one query token each) and the sum of their contexts. */
  readonly decodes: number;
  readonly decodeContext: number;
  /** Every other sequence: a prefill chunk of q tokens ending at context ctx. */
  readonly chunks: readonly PrefillChunk[];
}

export interface CostModelOptions {
  readonly model: ModelConfig;
  readonly strategy: StrategyName;
  readonly parallel: ParallelConfig;
  readonly profile: HardwareProfile;
  readonly dtypes: MetaDtypes;
  /** CUDA-graph capture sizes (default vLLM V1's); [] runs everything eagerly. */
  readonly captureSizes?: readonly number[];
  /** Traces shared with other cost models of the same deployment (default: a cache of its own). */
  readonly traces?: TraceCache;
}

export class TraceCacheMismatchError extends Error {
  override readonly name = 'TraceCacheMismatchError';
}

/** The token-count-dependent part of an iteration's non-attention work (see IterationCostModel). */
interface TokenPart {
  /** Embedding and L layers: T1(x, 0) + (L − 1)·(T2(x, 0) − T1(x, 0)). */
  readonly layers: BreakdownSum;
  /** What sampling anything adds at x tokens: T1(x, 1) − T1(x, 0) (SP's final all-gather, LM head of 1). */
  readonly sample: BreakdownSum;
}

/** Grid points per doubling of the token count above the exact range (2.2% apart). */
const GRID_PER_OCTAVE = 32;

/**
 * Predicts the time of an iteration in a mode: the strategy's traced non-attention work at the
 * padded token count, attention from the real sequence lengths (× layers), and the engine's CPU
 * time. Caches live in the object; nothing is global.
 *
 * Non-attention work of x padded tokens and B sampling sequences, from meta traces T_L(x, B) of
 * an L-layer copy of the model (layers are identical):
 *
 *   body(x, B) = layers(x) + [B ≥ 1]·(sample(x) + head(B))
 *   layers(x)  = T1(x, 0) + (L − 1)·(T2(x, 0) − T1(x, 0))       embedding + L layers
 *   sample(x)  = T1(x, 1) − T1(x, 0)                             e.g. SP's all-gather of x·H
 *   head(B)    = T1(B, B) − T1(B, 1)                             LM head rows beyond the first
 *
 * The split holds because the strategies sample (select B rows, LM head, logits all-gather) after
 * the layers; test/cost-trace.test.ts checks it against whole traces. So the cache holds
 * O(#token counts + #B) entries, not their product. Token counts up to the largest CUDA-graph
 * size (× s for SP) are exact (padding makes them few); above, x is interpolated linearly between
 * points 2.2% apart (32 per doubling), which bounds the cache for any trace length; the error is
 * under 3% (the steps of GEMM tile and wave quantisation get smoothed over one grid interval).
 */
export class IterationCostModel {
  readonly modes: readonly Mode[];
  /** The ids of `modes`, in order. */
  readonly modeIds: readonly ModeId[];
  readonly profile: HardwareProfile;
  /** The meta traces this model prices (shareable: see withProfile and SystemSpec.traces). */
  readonly traceCache: TraceCache;
  /** GPU workers of one engine (a DP replica's, or the deployment's): the engine's CPU time grows with them. */
  private readonly workers: number;
  private readonly captureSizes: readonly number[];
  private readonly layers: number;
  private readonly heads: (AttentionHeads | null)[];
  private readonly tokenParts = new Map<number, TokenPart>();
  private readonly headParts = new Map<number, BreakdownSum>();
  private readonly mixed = { layers: new BreakdownSum(), sample: new BreakdownSum() };
  private readonly body = new BreakdownSum();

  constructor(private readonly o: CostModelOptions) {
    const strategy = getStrategy(o.strategy);
    this.modes = strategy.modes(o.model, o.parallel);
    this.modeIds = this.modes.map((m) => m.id);
    this.profile = o.profile;
    // FP8 weights follow the checkpoint's quantization scheme (a property of the model).
    const key = { model: o.model, strategy: o.strategy, parallel: o.parallel, dtypes: { ...o.dtypes, quant: o.dtypes.quant ?? o.model.quant } };
    if (o.traces && o.traces.key !== traceKeyOf(key)) throw new TraceCacheMismatchError(`the shared trace cache belongs to another deployment than ${o.model.name} / ${o.strategy}`);
    this.traceCache = o.traces ?? new TraceCache(key);
    this.workers = o.parallel.world / strategy.replicas(o.parallel);
    this.captureSizes = o.captureSizes ?? defaultCaptureSizes();
    this.layers = o.model.layers;
    this.heads = this.modes.map(() => null);
  }

  /** The same deployment priced on another profile, sharing this model's traces. */
  withProfile(profile: HardwareProfile): IterationCostModel {
    return new IterationCostModel({ ...this.o, profile, traces: this.traceCache });
  }

  modeIndex(kind: ModeId): number {
    const i = this.modes.findIndex((m) => m.id === kind);
    if (i < 0) throw new RangeError(`this deployment has no '${kind}' mode (modes: ${this.modes.map((m) => m.id).join(', ')})`);
    return i;
  }

  /** Tokens the model runs for `tokens` scheduled ones in mode `index` (graph and SP padding). */
  paddedTokens(index: number, tokens: number): number {
    return paddedTokens(this.captureSizes, tokens, this.unit(index));
  }

  /** Seconds of one iteration in mode `index`; adds its breakdown to `into` when given. */
  time(index: number, shape: IterationShape, into?: BreakdownSum): number {
    if (shape.tokens === 0) return 0;
    const body = this.nonAttention(index, this.paddedTokens(index, shape.tokens), shape.sampled);
    const heads = this.attentionHeads(index);
    // One attention kernel per layer, no faster than the kernel floor.
    const perLayer = attentionTime(this.profile, heads, shape.decodes, shape.decodeContext, shape.chunks);
    const attention = this.layers * Math.max(perLayer, this.profile.kernel_floor_s ?? 0);
    const engine = this.profile.engine;
    const overhead = engine.iteration_s + (engine.per_worker_s ?? 0) * (this.workers - 1) + engine.per_seq_s * shape.seqs;
    if (into) {
      into.add(body);
      into.attention += attention;
      into.overhead += overhead;
    }
    return body.total + attention + overhead;
  }

  /** The breakdown of one iteration (reports, tests). */
  breakdown(kind: ModeId, shape: IterationShape): Breakdown {
    const sum = new BreakdownSum();
    this.time(this.modeIndex(kind), shape, sum);
    return sum.toJSON();
  }

  /**
   * Non-attention work of `tokens` (already padded) and `sampled` sequences, by the decomposition
   * above. The result is a scratch object, valid until the next call.
   */
  nonAttention(index: number, tokens: number, sampled: number): BreakdownSum {
    const part = this.tokenPart(index, tokens);
    const body = this.body.assign(part.layers);
    if (sampled > 0) {
      body.add(part.sample);
      body.add(this.headPart(index, sampled));
      body.memory += this.samplerTime(sampled);
    }
    return body;
  }

  /**
   * vLLM V1's sampler over the [B, V] logits (vllm/v1/sample/sampler.py): an upcast to FP32
   * (read 2 B, write 4 B per logit), then sampling (read 4 B), two kernels each at least the floor.
   */
  samplerTime(sampled: number): number {
    const logits = sampled * this.o.model.vocab;
    const bw = this.profile.hbm.bytes_per_s * this.profile.hbm.efficiency;
    const floor = this.profile.kernel_floor_s ?? 0;
    return Math.max(floor, (6 * logits) / bw) + Math.max(floor, (4 * logits) / bw);
  }

  /** Bytes of weights one GPU holds (every mode's copy). */
  weightBytes(): number {
    return this.traceCache.weightBytes();
  }

  /** Meta forwards run so far by this model's trace cache (for profiling the cache). */
  get traces(): number {
    return this.traceCache.traces;
  }

  /** Attention heads of rank 0 in mode `index` (its KV heads size the cache). */
  attentionHeads(index: number): AttentionHeads {
    let h = this.heads[index];
    if (!h) {
      h = priceRecords(this.profile, this.trace(1, index, 1, 1)).heads;
      if (!h) throw new Error(`mode ${this.modes[index]!.id} traced no attention`);
      this.heads[index] = h;
    }
    return h;
  }

  /** The records of one forward of an L-layer copy of the model on rank 0. */
  trace(layers: number, index: number, tokens: number, sampled: number): readonly OpRecord[] {
    return this.traceCache.trace(layers, this.modes[index]!, tokens, sampled);
  }

  /** A mode that splits tokens over k ranks (SP: s) moves its token counts in steps of k. */
  private unit(index: number): number {
    return this.modes[index]!.tokenShards;
  }

  private tokenPart(index: number, x: number): TokenPart {
    const unit = this.unit(index);
    const exactUpTo = Math.max(512, this.captureSizes.at(-1) ?? 0) * unit;
    if (x <= exactUpTo) return this.exactTokenPart(index, x);
    const grid = (k: number): number => Math.ceil((exactUpTo * 2 ** (k / GRID_PER_OCTAVE)) / unit) * unit;
    let k = Math.floor(GRID_PER_OCTAVE * Math.log2(x / exactUpTo));
    while (k > 0 && grid(k) > x) k--;
    while (grid(k + 1) <= x) k++;
    const [g0, g1] = [grid(k), grid(k + 1)];
    if (g0 === x) return this.exactTokenPart(index, x);
    const [a, b] = [this.exactTokenPart(index, g0), this.exactTokenPart(index, g1)];
    const w = (x - g0) / (g1 - g0);
    this.mixed.layers.mix(a.layers, b.layers, w);
    this.mixed.sample.mix(a.sample, b.sample, w);
    return this.mixed;
  }

  private exactTokenPart(index: number, x: number): TokenPart {
    const key = x * 4 + index;
    let part = this.tokenParts.get(key);
    if (part) return part;
    const one = priceRecords(this.profile, this.trace(1, index, x, 0)).sum;
    const two = priceRecords(this.profile, this.trace(2, index, x, 0)).sum;
    const sampling = priceRecords(this.profile, this.trace(1, index, x, 1)).sum;
    const layers = new BreakdownSum();
    layers.add(one, 2 - this.layers);
    layers.add(two, this.layers - 1);
    const sample = new BreakdownSum();
    sample.add(sampling);
    sample.add(one, -1);
    part = { layers, sample };
    this.tokenParts.set(key, part);
    return part;
  }

  private headPart(index: number, sampled: number): BreakdownSum {
    const key = sampled * 4 + index;
    let head = this.headParts.get(key);
    if (head) return head;
    head = new BreakdownSum();
    if (sampled > 1) {
      head.add(priceRecords(this.profile, this.trace(1, index, sampled, sampled)).sum);
      head.add(priceRecords(this.profile, this.trace(1, index, sampled, 1)).sum, -1);
    }
    this.headParts.set(key, head);
    return head;
  }
}
