import { Rng } from '../util/rng.ts';
import type { ModelConfig } from './config.ts';

/**
 * Seeded, unsharded weights of a model, generated lazily tensor by tensor so a rank only
 * materialises what it slices. Linear weights are stored [in, out] (x · W), so a column
 * slice is a column-parallel shard and a row slice a row-parallel one.
 *
 *   embed [V, H]   lm_head [H, V]   final_norm [H]
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

/** Deterministic full weights: the same (model, seed, name) always gives the same tensor. */
export class SeededWeights {
  private readonly cache = new Map<string, HostTensor>();

  constructor(
    readonly model: ModelConfig,
    readonly seed: number,
  ) {}

  get(name: string): HostTensor {
    let t = this.cache.get(name);
    if (!t) {
      t = this.generate(name);
      this.cache.set(name, t);
    }
    return t;
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
      // Embedding rows ~ N(0, 1); linear layers ~ N(0, 1/fan_in) keep activations O(1).
      const std = name === 'embed' ? 1 : 1 / Math.sqrt(shape[0] ?? 1);
      for (let i = 0; i < size; i++) data[i] = std * rng.normal();
    }
    return { shape, data };
  }
}

/** Columns `cols` of a [R, C] tensor, in the given order (repeats allowed). */
export function selectColumns(t: HostTensor, cols: readonly number[]): HostTensor {
  const [R, C] = t.shape as [number, number];
  const out = new Float32Array(R * cols.length);
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < cols.length; j++) out[r * cols.length + j] = t.data[r * C + cols[j]!]!;
  }
  return { shape: [R, cols.length], data: out };
}

/** Rows [start, start + count) of a [R, C] tensor. */
export function sliceRows(t: HostTensor, start: number, count: number): HostTensor {
  const C = t.shape[1]!;
  return { shape: [count, C], data: t.data.slice(start * C, (start + count) * C) };
}

/** Rows `rows` of a [R, C] tensor, in the given order. */
export function selectRows(t: HostTensor, rows: readonly number[]): HostTensor {
  const C = t.shape[1]!;
  const out = new Float32Array(rows.length * C);
  rows.forEach((r, i) => out.set(t.data.subarray(r * C, (r + 1) * C), i * C));
  return { shape: [rows.length, C], data: out };
}
