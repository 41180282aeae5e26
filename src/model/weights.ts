import { Rng } from '../util/rng.ts';
import type { ModelConfig } from './config.ts';

/**
 * Weights of a model by name, in the project's layout. Linear weights are stored [in, out]
 * (x · W), so a column slice is a column-parallel shard and a row slice a row-parallel one.
 *
 *   embed [V, H]   lm_head [H, V] (embedᵀ when tiedEmbeddings)   final_norm [H]
 *   layer.L.attn_norm [H]   layer.L.wq [H, h·d]   layer.L.wk / wv [H, g·d]   layer.L.wo [h·d, H]
 *   layer.L.q_norm / k_norm [d] (qkNorm models only)
 *   layer.L.mlp_norm [H]    layer.L.w_gate / w_up [H, F]   layer.L.w_down [F, H]
 */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export class WeightError extends Error {
  override readonly name = 'WeightError';
}

/**
 * Where a rank's weights come from (seeded random numbers, or a checkpoint on disk). A rank asks
 * only for its shard, so a source that reads files reads only those bytes.
 */
export interface WeightSource {
  readonly model: ModelConfig;
  /** A whole tensor. */
  tensor(name: string): HostTensor;
  /** Columns `cols` of a 2-D tensor, in that order (a column-parallel shard): [R, cols.length]. */
  columns(name: string, cols: readonly number[]): HostTensor;
  /** Rows `rows` of a 2-D tensor, in that order (a row-parallel shard): [rows.length, C]. */
  rows(name: string, rows: readonly number[]): HostTensor;
  /** Releases open files; ranks call it once their shards are loaded. */
  close(): void;
}

/** The names of every weight of a model (see the table above). */
export function weightNames(m: ModelConfig): string[] {
  const perLayer = ['attn_norm', 'wq', 'wk', 'wv', 'wo', ...(m.qkNorm ? ['q_norm', 'k_norm'] : []), 'mlp_norm', 'w_gate', 'w_up', 'w_down'];
  const layers = Array.from({ length: m.layers }, (_, l) => perLayer.map((w) => `layer.${l}.${w}`));
  return ['embed', ...layers.flat(), 'final_norm', 'lm_head'];
}

export function weightShape(m: ModelConfig, name: string): number[] {
  const H = m.hidden;
  const d = m.headDim;
  if (name === 'embed') return [m.vocab, H];
  if (name === 'lm_head') return [H, m.vocab];
  if (name === 'final_norm') return [H];
  const match = /^layer\.(\d+)\.(\w+)$/.exec(name);
  const layer = match ? Number(match[1]) : -1;
  if (!match || layer >= m.layers) throw new WeightError(`model '${m.name}' has no weight '${name}'`);
  switch (match[2]) {
    case 'attn_norm':
    case 'mlp_norm':
      return [H];
    case 'wq':
      return [H, m.heads * d];
    case 'wk':
    case 'wv':
      return [H, m.kvHeads * d];
    case 'wo':
      return [m.heads * d, H];
    case 'q_norm':
    case 'k_norm':
      if (!m.qkNorm) break;
      return [d];
    case 'w_gate':
    case 'w_up':
      return [H, m.mlp];
    case 'w_down':
      return [m.mlp, H];
  }
  throw new WeightError(`model '${m.name}' has no weight '${name}'`);
}

/**
 * Deterministic weights: the same (model, seed, name) always gives the same tensor. Tensors are
 * generated whole, lazily, one at a time, and kept; shards are cut from them.
 */
export class SeededWeights implements WeightSource {
  private readonly cache = new Map<string, HostTensor>();

  constructor(
    readonly model: ModelConfig,
    readonly seed: number,
  ) {}

  tensor(name: string): HostTensor {
    let t = this.cache.get(name);
    if (!t) {
      t = name === 'lm_head' && this.model.tiedEmbeddings ? transpose(this.tensor('embed')) : this.generate(name);
      this.cache.set(name, t);
    }
    return t;
  }

  columns(name: string, cols: readonly number[]): HostTensor {
    return selectColumns(this.tensor(name), cols);
  }

  rows(name: string, rows: readonly number[]): HostTensor {
    return selectRows(this.tensor(name), rows);
  }

  close(): void {
    this.cache.clear();
  }

  private generate(name: string): HostTensor {
    const shape = weightShape(this.model, name);
    const size = shape.reduce((a, b) => a * b, 1);
    const rng = new Rng(`${this.seed}:${name}`);
    const data = new Float32Array(size);
    if (shape.length === 1) {
      // Norm gains near 1, but not exactly 1, so a missing or misplaced norm shows up.
      for (let i = 0; i < size; i++) data[i] = 1 + 0.1 * rng.normal();
    } else {
      // Linear layers ~ N(0, 1/fan_in) keep activations O(1). Embedding rows ~ N(0, 1), or
      // N(0, 1/H) when they are also the LM head, so that logits stay O(1) too.
      const tiedEmbed = name === 'embed' && this.model.tiedEmbeddings;
      const std = name === 'embed' && !tiedEmbed ? 1 : 1 / Math.sqrt(shape[tiedEmbed ? 1 : 0] ?? 1);
      for (let i = 0; i < size; i++) data[i] = std * rng.normal();
    }
    return { shape, data };
  }
}

/** Columns `cols` of a [R, C] tensor, in the given order (repeats allowed). */
function selectColumns(t: HostTensor, cols: readonly number[]): HostTensor {
  const [R, C] = t.shape as [number, number];
  const out = new Float32Array(R * cols.length);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < cols.length; j++) out[r * cols.length + j] = t.data[r * C + cols[j]!]!;
  }
  return { shape: [R, cols.length], data: out };
}

/** Rows `rows` of a [R, C] tensor, in the given order. */
function selectRows(t: HostTensor, rows: readonly number[]): HostTensor {
  const C = t.shape[1]!;
  const out = new Float32Array(rows.length * C);
  rows.forEach((r, i) => out.set(t.data.subarray(r * C, (r + 1) * C), i * C));
  return { shape: [rows.length, C], data: out };
}

/** [R, C] → [C, R]. */
export function transpose(t: HostTensor): HostTensor {
  const [R, C] = t.shape as [number, number];
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) out[c * R + r] = t.data[r * C + c]!;
  }
  return { shape: [C, R], data: out };
}
