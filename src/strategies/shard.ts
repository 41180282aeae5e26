import type { HeadShard } from '../kv/heads.ts';
import { type HostTensor, weightShape } from '../model/weights.ts';
import { type LayerRange, allLayers } from '../parallel/mode.ts';
import type { RankContext } from './types.ts';

/** One decoder layer's weights on one rank. Shapes for an n-way shard with hq, g local heads. */
export interface LayerShard<T> {
  readonly attnNorm: T; // [H]
  readonly wqkv: T; //     [H, (hq + 2g)·d]   columns: q heads | k heads | v heads
  readonly qNorm?: T; //   [d]
  readonly kNorm?: T; //   [d]
  readonly wo: T; //       [hq·d, H]          row-parallel
  readonly mlpNorm: T; //  [H]
  readonly wGateUp: T; //  [H, 2·F/n]         columns: gate | up
  readonly wDown: T; //    [F/n, H]           row-parallel
}

export interface ModelShard<T> {
  /** [V, H] (replicated); null on a rank whose layer range does not start the model (a later pipeline stage). */
  readonly embed: T | null;
  /** The decoder layers of the loaded range, layers[0] being its first (model layer range.start). */
  readonly layers: readonly LayerShard<T>[];
  /** [H] and [H, V/n] (vocab-parallel); null on a rank whose layer range does not end the model. */
  readonly finalNorm: T | null;
  readonly lmHead: T | null;
  /** The heads of this rank's QKV projection. */
  readonly heads: HeadShard;
  /** The model layers loaded, [start, end). */
  readonly range: LayerRange;
}

/** A rank asked for a weight that its layer range does not hold (a strategy bug: say which). */
export class MissingWeightError extends Error {
  override readonly name = 'MissingWeightError';
}

/** The embedding, final norm or LM head of `shard`; throws when its layer range does not hold it. */
export function endWeight<T>(shard: ModelShard<T>, name: 'embed' | 'finalNorm' | 'lmHead'): T {
  const w = shard[name];
  if (w === null) {
    const why = name === 'embed' ? 'does not start the model' : 'does not end the model';
    throw new MissingWeightError(`this rank holds layers [${shard.range.start}, ${shard.range.end}), which ${why}, so it loaded no ${name}`);
  }
  return w;
}

function headColumns(heads: readonly number[], d: number): number[] {
  return heads.flatMap((h) => Array.from({ length: d }, (_, k) => h * d + k));
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => start + k);
}

/** `make()`, computed on the first call and kept. */
function lazy<X>(make: () => X): () => X {
  let x: X | undefined;
  return () => (x ??= make());
}

/**
 * The weights of position p in an n-way tensor-parallel shard whose QKV projection produces
 * the heads of `heads` (vLLM's column/row-parallel split; the embedding is replicated).
 * Divisibility was checked by the mode builder (checkShards) before any rank started. The rank asks its weight
 * source for its rows and columns only, and only inside fill callbacks, which meta backends
 * never call. `layers` limits the decoder layers loaded to a contiguous range (a rank that runs
 * some layers only); the embedding is loaded only by a range that starts the model and the final
 * norm and LM head only by one that ends it, as a pipeline's first and last stages hold them.
 */
export function loadShard<T, C>(ctx: RankContext<T, C>, n: number, p: number, heads: HeadShard, layerRange: LayerRange = allLayers(ctx.model)): ModelShard<T> {
  const { model: m, ops, weights } = ctx;
  const d = m.headDim;
  const F = m.mlp / n;
  const load = (shape: number[], make: () => HostTensor): T => ops.weight(shape, () => make().data);
  const whole = (name: string): T => ops.weight(weightShape(m, name), () => weights.tensor(name).data);
  // Column lists are built on first fill only: meta backends (the cost model traces every rank of
  // every mode) never fill, and a list is up to F = 28,672 entries long.
  const qCols = lazy(() => headColumns(heads.qHeads, d));
  const kvCols = lazy(() => headColumns(heads.kvHeads, d));
  const fCols = lazy(() => range(p * F, F));
  const [qWidth, kvWidth] = [heads.qHeads.length * d, heads.kvHeads.length * d];
  const layers = Array.from({ length: layerRange.end - layerRange.start }, (_, k): LayerShard<T> => {
    const l = layerRange.start + k;
    const name = (w: string): string => `layer.${l}.${w}`;
    const cols = (w: string, c: readonly number[]): HostTensor => weights.columns(name(w), c);
    const rows = (w: string, r: readonly number[]): HostTensor => weights.rows(name(w), r);
    const shard: LayerShard<T> = {
      attnNorm: whole(name('attn_norm')),
      wqkv: load([m.hidden, qWidth + 2 * kvWidth], () => concatColumns([cols('wq', qCols()), cols('wk', kvCols()), cols('wv', kvCols())])),
      wo: load([qWidth, m.hidden], () => rows('wo', qCols())),
      mlpNorm: whole(name('mlp_norm')),
      wGateUp: load([m.hidden, 2 * F], () => concatColumns([cols('w_gate', fCols()), cols('w_up', fCols())])),
      wDown: load([F, m.hidden], () => rows('w_down', fCols())),
    };
    if (!m.qkNorm) return shard;
    return { ...shard, qNorm: whole(name('q_norm')), kNorm: whole(name('k_norm')) };
  });
  const V = m.vocab / n;
  const [first, last] = [layerRange.start === 0, layerRange.end === m.layers];
  return {
    embed: first ? whole('embed') : null,
    layers,
    finalNorm: last ? whole('final_norm') : null,
    lmHead: last ? load([m.hidden, V], () => weights.columns('lm_head', range(p * V, V))) : null,
    heads,
    range: layerRange,
  };
}

function concatColumns(parts: readonly HostTensor[]): HostTensor {
  const R = parts[0]!.shape[0]!;
  const C = parts.reduce((a, t) => a + t.shape[1]!, 0);
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) {
    let offset = r * C;
    for (const t of parts) {
      const c = t.shape[1]!;
      out.set(t.data.subarray(r * c, (r + 1) * c), offset);
      offset += c;
    }
  }
  return { shape: [R, C], data: out };
}
