import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type AttentionBatch, type KvCacheSpec, type Ops, OpsError, dims2 } from './types.ts';

/**
 * The CPU backend: tfjs on its wasm backend. tfjs keeps wasm single-threaded in Node, so each
 * rank (worker thread) gets its own instance. The paged KV cache lives in host memory
 * (Float32Array per layer, slot-major [blocks·blockSize, g, d]) because tfjs tensors are
 * immutable; attention gathers each sequence's context from it.
 */
export interface TfjsKvCache {
  readonly spec: KvCacheSpec;
  readonly k: Float32Array[];
  readonly v: Float32Array[];
}

let ready: Promise<void> | undefined;

/** Initialises tfjs on the wasm backend once per thread. */
export function initTfjsWasm(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
    setWasmPaths(path.join(path.dirname(pkg), 'dist') + path.sep);
    if (!(await tf.setBackend('wasm'))) throw new OpsError('tfjs could not start its wasm backend');
    await tf.ready();
  })();
  return ready;
}

export async function createTfjsOps(): Promise<Ops<tf.Tensor, TfjsKvCache>> {
  await initTfjsWasm();
  return new TfjsOps();
}

class TfjsOps implements Ops<tf.Tensor, TfjsKvCache> {
  readonly backend = 'tfjs-wasm';

  upload(data: Float32Array, shape: readonly number[]): tf.Tensor {
    return tf.tensor(data, [...shape], 'float32');
  }

  /** Weights are kept outside every scope, so they are freed only by dispose(). */
  private readonly weights: tf.Tensor[] = [];

  weight(shape: readonly number[], fill: () => Float32Array): tf.Tensor {
    const w = tf.keep(tf.tensor(fill(), [...shape], 'float32'));
    this.weights.push(w);
    return w;
  }

  dispose(): void {
    tf.dispose(this.weights.splice(0));
  }

  download(x: tf.Tensor): Float32Array {
    return x.dataSync() as Float32Array;
  }

  shape(x: tf.Tensor): readonly number[] {
    return x.shape;
  }

  scope<R>(fn: () => R): R {
    return tf.tidy(fn as () => tf.TensorContainer) as R;
  }

  embedding(table: tf.Tensor, ids: Int32Array): tf.Tensor {
    return tf.gather(table, tf.tensor1d(ids, 'int32'), 0);
  }

  rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
    const [N, C] = dims2(x.shape, 'rmsNorm');
    const c = gain.shape[0]!;
    const g = x.reshape([N, C / c, c]);
    const ms = tf.mean(tf.square(g), -1, true);
    return tf.mul(tf.mul(g, tf.rsqrt(tf.add(ms, eps))), gain).reshape([N, C]);
  }

  matmul(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
    return tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D);
  }

  add(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
    return tf.add(a, b);
  }

  siluMul(x: tf.Tensor): tf.Tensor {
    const [N, F2] = dims2(x.shape, 'siluMul');
    const F = F2 / 2;
    const gate = tf.slice(x, [0, 0], [N, F]);
    const up = tf.slice(x, [0, F], [N, F]);
    return tf.mul(tf.mul(gate, tf.sigmoid(gate)), up);
  }

  rope(x: tf.Tensor, positions: Int32Array, invFreq: Float64Array): tf.Tensor {
    const [N, C] = dims2(x.shape, 'rope');
    const half = invFreq.length;
    const headDim = 2 * half;
    if (C % headDim !== 0) throw new OpsError(`rope: ${C} columns are not whole heads of ${headDim}`);
    if (positions.length !== N) throw new OpsError(`rope: ${positions.length} positions for ${N} rows`);
    // Angles, sines and cosines in float64, rounded once to float32.
    const cos = new Float32Array(N * headDim);
    const sin = new Float32Array(N * headDim);
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < half; i++) {
        const angle = positions[n]! * invFreq[i]!;
        cos[n * headDim + i] = cos[n * headDim + i + half] = Math.cos(angle);
        sin[n * headDim + i] = sin[n * headDim + i + half] = Math.sin(angle);
      }
    }
    const h = x.reshape([N, C / headDim, headDim]);
    const x1 = tf.slice(h, [0, 0, 0], [N, C / headDim, half]);
    const x2 = tf.slice(h, [0, 0, half], [N, C / headDim, half]);
    const rotated = tf.concat([tf.neg(x2), x1], 2);
    const c = tf.tensor(cos, [N, 1, headDim]);
    const s = tf.tensor(sin, [N, 1, headDim]);
    return tf.add(tf.mul(h, c), tf.mul(rotated, s)).reshape([N, C]);
  }

  sliceRows(x: tf.Tensor, start: number, count: number): tf.Tensor {
    return tf.slice(x, [start, 0], [count, x.shape[1]!]);
  }

  selectRows(x: tf.Tensor, rows: Int32Array): tf.Tensor {
    return tf.gather(x, tf.tensor1d(rows, 'int32'), 0);
  }

  padRows(x: tf.Tensor, rows: number): tf.Tensor {
    const [N] = dims2(x.shape, 'padRows');
    if (rows < N) throw new OpsError(`padRows: cannot pad ${N} rows down to ${rows}`);
    return rows === N ? tf.clone(x) : tf.pad(x, [[0, rows - N], [0, 0]]);
  }

  concatRows(xs: readonly tf.Tensor[]): tf.Tensor {
    return xs.length === 1 ? tf.clone(xs[0]!) : tf.concat([...xs], 0);
  }

  sliceCols(x: tf.Tensor, start: number, count: number): tf.Tensor {
    return tf.slice(x, [0, start], [x.shape[0]!, count]);
  }

  selectColumns(x: tf.Tensor, cols: Int32Array): tf.Tensor {
    return tf.gather(x, tf.tensor1d(cols, 'int32'), 1);
  }

  colBlocksToRows(x: tf.Tensor, blocks: number): tf.Tensor {
    const [n, W] = dims2(x.shape, 'colBlocksToRows');
    const w = W / blocks;
    return x.reshape([n, blocks, w]).transpose([1, 0, 2]).reshape([blocks * n, w]);
  }

  rowBlocksToCols(x: tf.Tensor, blocks: number): tf.Tensor {
    const [R, w] = dims2(x.shape, 'rowBlocksToCols');
    const n = R / blocks;
    return x.reshape([blocks, n, w]).transpose([1, 0, 2]).reshape([n, blocks * w]);
  }

  createKvCache(spec: KvCacheSpec): TfjsKvCache {
    const size = spec.blocks * spec.blockSize * spec.kvHeads * spec.headDim;
    const layers = Array.from({ length: spec.layers });
    return { spec, k: layers.map(() => new Float32Array(size)), v: layers.map(() => new Float32Array(size)) };
  }

  writeKv(cache: TfjsKvCache, layer: number, k: tf.Tensor, v: tf.Tensor, slots: Int32Array): void {
    const width = cache.spec.kvHeads * cache.spec.headDim;
    const kd = k.dataSync() as Float32Array;
    const vd = v.dataSync() as Float32Array;
    const kc = cache.k[layer]!;
    const vc = cache.v[layer]!;
    const capacity = cache.spec.blocks * cache.spec.blockSize;
    slots.forEach((slot, n) => {
      if (slot < 0) return;
      if (slot >= capacity) throw new OpsError(`writeKv: slot ${slot} is outside the cache (${capacity} slots)`);
      kc.set(kd.subarray(n * width, (n + 1) * width), slot * width);
      vc.set(vd.subarray(n * width, (n + 1) * width), slot * width);
    });
  }

  attention(q: tf.Tensor, cache: TfjsKvCache, layer: number, b: AttentionBatch): tf.Tensor {
    const { qHeads: h, headDim: d } = b;
    const outs = b.seqs.map((s) => {
      const start = s.contextLen - s.queryLen;
      const qs = tf.slice(q, [s.rowStart, 0], [s.queryLen, h * d]).reshape([s.queryLen, h, d]).transpose([1, 0, 2]);
      const k = this.gatherContext(cache.k[layer]!, s.blockTable, s.contextLen, b);
      const v = this.gatherContext(cache.v[layer]!, s.blockTable, s.contextLen, b);
      const mask = new Float32Array(s.queryLen * s.contextLen);
      for (let r = 0; r < s.queryLen; r++) {
        for (let c = start + r + 1; c < s.contextLen; c++) mask[r * s.contextLen + c] = -Infinity;
      }
      const scores = tf.add(tf.mul(tf.matMul(qs, k, false, true), b.scale), tf.tensor(mask, [1, s.queryLen, s.contextLen]));
      const out = tf.matMul(tf.softmax(scores), v); // [h, q, d]
      return out.transpose([1, 0, 2]).reshape([s.queryLen, h * d]);
    });
    return outs.length === 1 ? outs[0]! : tf.concat(outs, 0);
  }

  /** Context K or V of one sequence as [h, ctx, d], KV heads repeated for their query groups. */
  private gatherContext(store: Float32Array, table: Int32Array, ctx: number, b: AttentionBatch): tf.Tensor {
    const width = b.kvHeads * b.headDim;
    const host = new Float32Array(ctx * width);
    for (let p = 0; p < ctx; p++) {
      const slot = table[Math.floor(p / b.blockSize)]! * b.blockSize + (p % b.blockSize);
      host.set(store.subarray(slot * width, (slot + 1) * width), p * width);
    }
    const kv = tf.tensor(host, [ctx, b.kvHeads, b.headDim]).transpose([1, 0, 2]); // [g, ctx, d]
    const group = b.qHeads / b.kvHeads;
    if (group === 1) return kv;
    return tf.tile(kv.reshape([b.kvHeads, 1, ctx, b.headDim]), [1, group, 1, 1]).reshape([b.qHeads, ctx, b.headDim]);
  }

  readKv(cache: TfjsKvCache): Float32Array {
    const parts = [...cache.k, ...cache.v];
    const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  argmax(logits: tf.Tensor): Int32Array {
    return tf.argMax(logits, 1).dataSync() as Int32Array;
  }
}
