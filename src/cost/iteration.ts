import type { ModelConfig } from '../model/config.ts';
import type { MetaDtypes } from '../ops/meta.ts';
import type { OpRecord } from '../ops/trace.ts';
import type { Mode, ModeId } from '../parallel/mode.ts';
import { getStrategy } from '../strategies/registry.ts';
import type { ParallelConfig, StrategyName } from '../strategies/types.ts';
import { type AttentionHeads, type PrefillChunk, attentionTime } from './attention.ts';
import { type Breakdown, BreakdownSum } from './breakdown.ts';
import { type CostShape, CostShapeError, checkCostShape, combineRankTimes, layerUnitOf } from './cost-shape.ts';
import { defaultCaptureSizes, paddedTokens } from './cuda-graph.ts';
import { priceRecords } from './price-records.ts';
import type { HardwareProfile } from './profile.ts';
import { type RoleTrace, TraceCache, traceKeyOf } from './trace-cache.ts';

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

/**
 * The token-count-dependent part of an iteration's non-attention work (see IterationCostModel),
 * with each sum's total kept beside it: the simulator asks for a time every iteration and for
 * the breakdown only to add it up, so pricing reads the totals and touches the sums only then.
 */
interface TokenPart {
  /** Embedding and L layers: Tu(x, 0) + (L/u − 1)·(T2u(x, 0) − Tu(x, 0)). */
  readonly layers: BreakdownSum;
  readonly layersTotal: number;
  /** layers plus what sampling anything adds at x tokens, Tu(x, 1) − Tu(x, 0) (SP's final all-gather, LM head of 1). */
  readonly sampling: BreakdownSum;
  readonly samplingTotal: number;
}

/** Where x lies among the token parts: between `low` and `high` at weight `w` (high null: exactly `low`). */
interface FoundPart {
  low: TokenPart | null;
  high: TokenPart | null;
  w: number;
}

/** LM-head rows beyond the first, for B sampled sequences, and its total. */
interface HeadPart {
  readonly sum: BreakdownSum;
  readonly total: number;
}

/** Grid points per doubling of the token count above the exact range (2.2% apart). */
const GRID_PER_OCTAVE = 32;

/**
 * Predicts the time of an iteration in a mode: the strategy's traced non-attention work at the
 * padded token count, attention from the real sequence lengths (× layers), and the engine's CPU
 * time. Caches live in the object; nothing is global.
 *
 * Non-attention work of x padded tokens and B sampling sequences, from meta traces T_n(x, B) of
 * an n-layer copy of the model (layers are identical), u the mode's layer unit (1, or one layer
 * per stage of a pipeline: see layerUnit):
 *
 *   body(x, B) = layers(x) + [B ≥ 1]·(sample(x) + head(B))
 *   layers(x)  = Tu(x, 0) + (L/u − 1)·(T2u(x, 0) − Tu(x, 0))    embedding + L layers
 *   sample(x)  = Tu(x, 1) − Tu(x, 0)                             e.g. SP's all-gather of x·H
 *   head(B)    = Tu(B, B) − Tu(B, 1)                             LM head rows beyond the first
 *
 * The split holds because the strategies sample (select B rows, LM head, logits all-gather) after
 * the layers; test/cost-trace.test.ts checks it against whole traces. So the cache holds
 * O(#token counts + #B) entries, not their product. Token counts up to the largest CUDA-graph
 * size (× s for SP) are exact (padding makes them few); above, x is interpolated linearly between
 * points 2.2% apart (32 per doubling), which bounds the cache for any trace length; the error is
 * under 3% (the steps of GEMM tile and wave quantisation get smoothed over one grid interval).
 *
 * Every rank is priced, none stands for the others: the trace cache groups a mode's ranks into
 * roles (ranks with equal traces), each role's time is its body plus its attention (× the layers
 * it holds), and the strategy's cost shape (cost-shape.ts) makes the iteration's GPU time from
 * the per-rank times: the slowest rank for today's synchronous strategies, one batch's latency
 * through the stages for a pipelined one (the engine overlaps batches and so makes the bubble). With one role (TP, SP, Shift) that is rank 0's time,
 * computed as before; the breakdown is that of the ranks on the critical path.
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
  /** Ranks of the deployment. */
  readonly world: number;
  /** Each mode's cost shape, as its strategy declares it. */
  private readonly shapes: readonly CostShape[];
  /** Each mode's layer unit u: its traces are of u- and 2u-layer copies (see layerUnit). */
  private readonly units: readonly number[];
  /** Per mode, the ranks of each role (from the trace cache, on first use). */
  private readonly roleRanks: (readonly (readonly number[])[] | null)[];
  /** Per mode, each rank's role (on first use). */
  private readonly rankRoles: (readonly number[] | null)[];
  /** Per pipelined mode, the roles of each stage's ranks (on first use). */
  private readonly stageRoles: (readonly (readonly number[])[] | null)[];
  /** Per mode, the roles that did work at the trace cache's probes (idle roles cost 0). */
  private readonly busyRoles: (readonly number[] | null)[];
  /** Per mode and role: its attention heads (null: no attention) and the layers it runs attention for. */
  private readonly attention: (({ readonly heads: AttentionHeads | null; readonly layers: number } | null)[] | null)[];
  /** Per padded token count and mode (key x·M + index, M the number of modes), each role's part. */
  private readonly tokenParts = new Map<number, TokenPart[]>();
  private readonly headParts = new Map<number, HeadPart[]>();
  /** tokenPart's answer (a scratch: no allocation on the simulator's hot path). */
  private readonly found: FoundPart = { low: null, high: null, w: 0 };

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
    this.world = o.parallel.world;
    // From the trace cache's strategy: the shape belongs with the traces it combines.
    this.shapes = this.modes.map((m) => this.traceCache.costShape(m));
    for (const shape of this.shapes) checkCostShape(shape, o.parallel.world);
    this.units = this.shapes.map((shape, i) => {
      const u = layerUnitOf(shape);
      if (o.model.layers % u !== 0) {
        throw new CostShapeError(`mode ${this.modes[i]!.id}: a pipeline of ${u} stages cannot split ${o.model.name}'s ${o.model.layers} layers evenly, which the cost model's per-stage layer extrapolation needs`);
      }
      return u;
    });
    this.roleRanks = this.modes.map(() => null);
    this.rankRoles = this.modes.map(() => null);
    this.stageRoles = this.modes.map(() => null);
    this.busyRoles = this.modes.map(() => null);
    this.attention = this.modes.map(() => null);
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
    const x = this.paddedTokens(index, shape.tokens);
    const gpu = this.shapes[index]!.kind === 'synchronous' ? this.slowestRoleTime(index, x, shape, into) : this.pipelineTime(index, x, shape, into);
    const engine = this.profile.engine;
    const overhead = engine.iteration_s + (engine.per_worker_s ?? 0) * (this.workers - 1) + engine.per_seq_s * shape.seqs;
    if (into) into.overhead += overhead;
    return gpu + overhead;
  }

  /** The ranks of each role of mode `index` (ranks whose traces are equal), rank 0's role first. */
  roles(index: number): readonly (readonly number[])[] {
    return (this.roleRanks[index] ??= this.traceCache.roles(this.modes[index]!));
  }

  /** The role of `rank` in mode `index` (an index into roles(index)). */
  roleOf(index: number, rank: number): number {
    const byRank = (this.rankRoles[index] ??= (() => {
      const roles = new Array<number>(this.world).fill(-1);
      this.roles(index).forEach((ranks, role) => ranks.forEach((r) => (roles[r] = role)));
      return roles;
    })());
    return byRank[rank]!;
  }

  /**
   * The smallest copy of the model mode `index` is traced on: 1 layer, or one layer per stage
   * for a pipeline (a copy with fewer layers than stages would leave a stage empty). The work of
   * L layers is T_u + (L/u − 1)·(T_2u − T_u): every rank's work grows linearly with its layers.
   */
  layerUnit(index: number): number {
    return this.units[index]!;
  }

  /** The GPU seconds (no engine time) of each role of mode `index` in one iteration. */
  rankTimes(index: number, shape: IterationShape): { readonly ranks: readonly number[]; readonly time: number }[] {
    const x = this.paddedTokens(index, shape.tokens);
    return this.roles(index).map((ranks, role) => ({ ranks, time: shape.tokens === 0 ? 0 : this.roleTime(index, role, x, shape) }));
  }

  /** The ranks on the critical path of one iteration in mode `index` under its cost shape. */
  criticalRanks(index: number, shape: IterationShape): number[] {
    return combineRankTimes(this.shapes[index]!, this.timeByRank(index, shape)).critical;
  }

  /** Mode `index`'s cost shape, as its strategy declares it. */
  costShape(index: number): CostShape {
    return this.shapes[index]!;
  }

  /** GPU seconds of one role: its non-attention work and its attention; adds its breakdown to `into`. */
  private roleTime(index: number, role: number, x: number, shape: IterationShape, into?: BreakdownSum): number {
    const body = this.bodyTime(index, x, shape.sampled, role, into);
    const { heads, layers } = this.roleAttention(index, role);
    // One attention kernel per layer, no faster than the kernel floor.
    const attention = heads ? layers * Math.max(attentionTime(this.profile, heads, shape.decodes, shape.decodeContext, shape.chunks), this.profile.kernel_floor_s ?? 0) : 0;
    if (into) into.attention += attention;
    return body + attention;
  }

  private timeByRank(index: number, shape: IterationShape): number[] {
    const byRank = new Array<number>(this.o.parallel.world).fill(0);
    for (const { ranks, time } of this.rankTimes(index, shape)) for (const r of ranks) byRank[r] = time;
    return byRank;
  }

  /** Synchronous ranks: the slowest role's time and breakdown (no allocation: this is the simulator's hot path). */
  private slowestRoleTime(index: number, x: number, shape: IterationShape, into?: BreakdownSum): number {
    const roles = this.roles(index).length;
    if (roles === 1) return this.roleTime(index, 0, x, shape, into);
    const busy = (this.busyRoles[index] ??= this.roles(index).flatMap((_, role) => (this.traceCache.idle(this.modes[index]!, role) ? [] : [role])));
    // One busy role (DP's replica with the batch): it is the critical path, priced once.
    if (busy.length === 1) return this.roleTime(index, busy[0]!, x, shape, into);
    let time = 0;
    let critical = 0;
    for (const role of busy) {
      const t = this.roleTime(index, role, x, shape);
      if (t > time) {
        time = t;
        critical = role;
      }
    }
    if (into) this.roleTime(index, critical, x, shape, into);
    return time;
  }

  /**
   * A pipeline: one batch's latency through its stages, each its slowest role (cost-shape.ts's
   * combineRankTimes, by role); the breakdown follows the critical path. Each role is priced once,
   * and a stage of one role (a TP group's peers) once with the breakdown.
   */
  private pipelineTime(index: number, x: number, shape: IterationShape, into?: BreakdownSum): number {
    const cost = this.shapes[index]!;
    if (cost.kind !== 'pipeline') throw new Error('pipelineTime needs a pipeline cost shape');
    const stages = (this.stageRoles[index] ??= cost.stages.map((ranks) => [...new Set(ranks.map((r) => this.roleOf(index, r)))]));
    const memo = new Float64Array(this.roles(index).length).fill(NaN);
    const timeOf = (role: number): number => (Number.isNaN(memo[role]!) ? (memo[role] = this.roleTime(index, role, x, shape)) : memo[role]!);
    let time = 0;
    for (const roles of stages) {
      let critical = roles[0]!;
      if (roles.length > 1) for (const role of roles) if (timeOf(role) > timeOf(critical)) critical = role;
      time += into ? this.roleTime(index, critical, x, shape, into) : timeOf(critical);
    }
    return time;
  }

  /** The breakdown of one iteration (reports, tests). */
  breakdown(kind: ModeId, shape: IterationShape): Breakdown {
    const sum = new BreakdownSum();
    this.time(this.modeIndex(kind), shape, sum);
    return sum.toJSON();
  }

  /**
   * Non-attention work of `tokens` (already padded) and `sampled` sequences on the ranks of
   * `role` (default rank 0's), by the decomposition above (reports, tests).
   */
  nonAttention(index: number, tokens: number, sampled: number, role = 0): BreakdownSum {
    const body = new BreakdownSum();
    this.bodyTime(index, tokens, sampled, role, body);
    return body;
  }

  /**
   * Seconds of the non-attention work of `tokens` (padded) and `sampled` sequences on the ranks
   * of `role`, from the parts' totals; adds the parts themselves to `into` when given.
   */
  private bodyTime(index: number, tokens: number, sampled: number, role: number, into?: BreakdownSum): number {
    const { low, high, w } = this.tokenPart(index, tokens, role);
    const part = low!;
    if (sampled === 0) {
      if (into) {
        into.add(part.layers, high ? 1 - w : 1);
        if (high) into.add(high.layers, w);
      }
      return high ? part.layersTotal + w * (high.layersTotal - part.layersTotal) : part.layersTotal;
    }
    const head = this.headPart(index, sampled)[role]!;
    const sampler = this.samplerTime(sampled);
    if (into) {
      into.add(part.sampling, high ? 1 - w : 1);
      if (high) into.add(high.sampling, w);
      into.add(head.sum);
      into.memory += sampler;
    }
    return (high ? part.samplingTotal + w * (high.samplingTotal - part.samplingTotal) : part.samplingTotal) + head.total + sampler;
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

  /** Bytes of weights `rank` holds (every mode's copy). */
  weightBytes(rank = 0): number {
    return this.traceCache.weightBytes(rank);
  }

  /** Meta forwards run so far by this model's trace cache (for profiling the cache). */
  get traces(): number {
    return this.traceCache.traces;
  }

  /** Attention heads of the first role with attention in mode `index` (rank 0's for today's strategies). */
  attentionHeads(index: number): AttentionHeads {
    for (let role = 0; role < this.roles(index).length; role++) {
      const h = this.roleAttention(index, role).heads;
      if (h) return h;
    }
    throw new Error(`mode ${this.modes[index]!.id} traced no attention on any rank`);
  }

  /**
   * The attention of one role in mode `index`: its heads (null when it runs none) and the layers
   * it runs attention for in the full model, a1 + (L − 1)·(a2 − a1) from the attention records
   * of its 1- and 2-layer traces (L for a rank that holds every layer).
   */
  roleAttention(index: number, role: number): { readonly heads: AttentionHeads | null; readonly layers: number } {
    const perRole = (this.attention[index] ??= this.roles(index).map(() => null));
    let a = perRole[role];
    if (!a) {
      const u = this.units[index]!;
      const count = (layers: number): number => this.trace(layers, index, 1, 1, role).filter((r) => r.op === 'attention').length;
      const [a1, a2] = [count(u), count(2 * u)];
      a = { heads: priceRecords(this.profile, this.trace(u, index, 1, 1, role)).heads, layers: a1 + (this.layers / u - 1) * (a2 - a1) };
      perRole[role] = a;
    }
    return a;
  }

  /** The records of one forward of an L-layer copy of the model on the ranks of `role` (default rank 0's). */
  trace(layers: number, index: number, tokens: number, sampled: number, role = 0): readonly OpRecord[] {
    return this.traceCache.trace(layers, this.modes[index]!, tokens, sampled, role);
  }

  /** The records of one forward of an L-layer copy of the model, per role (every rank accounted for). */
  traceRoles(layers: number, index: number, tokens: number, sampled: number): readonly RoleTrace[] {
    return this.traceCache.traceRoles(layers, this.modes[index]!, tokens, sampled);
  }

  /** A mode that splits tokens over k ranks (SP: s) moves its token counts in steps of k. */
  private unit(index: number): number {
    return this.modes[index]!.tokenShards;
  }

  /** The token part of x padded tokens: exact up to the graph sizes, interpolated on the grid above (a scratch, valid until the next call). */
  private tokenPart(index: number, x: number, role: number): FoundPart {
    const found = this.found;
    found.high = null;
    found.w = 0;
    const unit = this.unit(index);
    const exactUpTo = Math.max(512, this.captureSizes.at(-1) ?? 0) * unit;
    if (x <= exactUpTo) {
      found.low = this.exactTokenPart(index, x)[role]!;
      return found;
    }
    const grid = (k: number): number => Math.ceil((exactUpTo * 2 ** (k / GRID_PER_OCTAVE)) / unit) * unit;
    let k = Math.floor(GRID_PER_OCTAVE * Math.log2(x / exactUpTo));
    while (k > 0 && grid(k) > x) k--;
    while (grid(k + 1) <= x) k++;
    const g0 = grid(k);
    found.low = this.exactTokenPart(index, g0)[role]!;
    if (g0 === x) return found;
    const g1 = grid(k + 1);
    found.high = this.exactTokenPart(index, g1)[role]!;
    found.w = (x - g0) / (g1 - g0);
    return found;
  }

  /** Every role's token part at exactly x padded tokens. */
  private exactTokenPart(index: number, x: number): TokenPart[] {
    const key = x * this.modes.length + index;
    let parts = this.tokenParts.get(key);
    if (parts) return parts;
    const u = this.units[index]!;
    const n = this.layers / u;
    const [ones, twos, samplings] = [this.traceRoles(u, index, x, 0), this.traceRoles(2 * u, index, x, 0), this.traceRoles(u, index, x, 1)];
    parts = ones.map((_, role) => {
      const one = priceRecords(this.profile, ones[role]!.records).sum;
      const two = priceRecords(this.profile, twos[role]!.records).sum;
      const sampling = priceRecords(this.profile, samplings[role]!.records).sum;
      const layers = new BreakdownSum();
      layers.add(one, 2 - n);
      layers.add(two, n - 1);
      const withSample = new BreakdownSum();
      withSample.add(layers);
      withSample.add(sampling);
      withSample.add(one, -1);
      return { layers, layersTotal: layers.total, sampling: withSample, samplingTotal: withSample.total };
    });
    this.tokenParts.set(key, parts);
    return parts;
  }

  /** Every role's LM-head rows beyond the first, for `sampled` sequences. */
  private headPart(index: number, sampled: number): HeadPart[] {
    const key = sampled * this.modes.length + index;
    let heads = this.headParts.get(key);
    if (heads) return heads;
    const u = this.units[index]!;
    const many = sampled > 1 ? this.traceRoles(u, index, sampled, sampled) : null;
    const one = sampled > 1 ? this.traceRoles(u, index, sampled, 1) : null;
    heads = this.roles(index).map((_, role) => {
      const head = new BreakdownSum();
      if (many && one) {
        head.add(priceRecords(this.profile, many[role]!.records).sum);
        head.add(priceRecords(this.profile, one[role]!.records).sum, -1);
      }
      return { sum: head, total: head.total };
    });
    this.headParts.set(key, heads);
    return heads;
  }
}
