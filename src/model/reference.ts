import type { Batch } from './batch.ts';
import type { ModelConfig } from './config.ts';
import { ropeInverseFrequencies } from './rope.ts';
import type { HostTensor, WeightSource } from './weights.ts';

/**
 * The single-device oracle: the model written as plainly as possible in TypeScript loops with
 * float64 accumulation, sharing no code with the strategies or the backends. Every strategy on
 * every backend is checked against it.
 *
 * Its paged KV cache per layer is [blocks·blockSize slots, g, d] for K and V, indexed by
 * slot = blockTable[pos / blockSize]·blockSize + pos mod blockSize.
 */
export class ReferenceModel {
  readonly model: ModelConfig;
  private readonly invFreq: Float64Array;
  /** Whole tensors, read once from the source. */
  private readonly tensors = new Map<string, HostTensor>();
  private readonly k: Float32Array[];
  private readonly v: Float32Array[];

  constructor(
    private readonly weights: WeightSource,
    readonly kvBlocks: number,
    readonly blockSize: number,
  ) {
    const model = weights.model;
    this.model = model;
    this.invFreq = ropeInverseFrequencies(model);
    const size = kvBlocks * blockSize * model.kvHeads * model.headDim;
    this.k = Array.from({ length: model.layers }, () => new Float32Array(size));
    this.v = Array.from({ length: model.layers }, () => new Float32Array(size));
  }

  /** Runs one iteration; returns the logits [V] of every sampling sequence, by id. */
  forward(batch: Batch): Map<number, Float32Array> {
    const m = this.model;
    const w = (name: string): HostTensor => this.tensor(name);
    const rows = batch.seqs.flatMap((s) => s.tokens.map((token, k) => ({ seq: s, token, pos: s.start + k })));
    let x: Float64Array[] = rows.map((r) => Float64Array.from(w('embed').data.subarray(r.token * m.hidden, (r.token + 1) * m.hidden)));
    for (let l = 0; l < m.layers; l++) {
      const p = (name: string): HostTensor => w(`layer.${l}.${name}`);
      const h = x.map((row) => rmsNorm(row, p('attn_norm').data, m.rmsEps));
      const q = h.map((row) => matvec(row, p('wq')));
      const k = h.map((row) => matvec(row, p('wk')));
      const v = h.map((row) => matvec(row, p('wv')));
      rows.forEach((r, n) => {
        if (m.qkNorm) {
          headNorm(q[n]!, p('q_norm').data, m.headDim, m.rmsEps);
          headNorm(k[n]!, p('k_norm').data, m.headDim, m.rmsEps);
        }
        rope(q[n]!, r.pos, this.invFreq);
        rope(k[n]!, r.pos, this.invFreq);
        const slot = this.slot(r.seq.blockTable, r.pos);
        const width = m.kvHeads * m.headDim;
        this.k[l]!.set(k[n]!, slot * width);
        this.v[l]!.set(v[n]!, slot * width);
      });
      const attn = rows.map((r, n) => this.attend(l, q[n]!, r.seq.blockTable, r.pos));
      x = x.map((row, n) => add(row, matvec(attn[n]!, p('wo'))));
      x = x.map((row) => {
        const g = rmsNorm(row, p('mlp_norm').data, m.rmsEps);
        const gate = matvec(g, p('w_gate'));
        const up = matvec(g, p('w_up'));
        const act = gate.map((a, i) => (a / (1 + Math.exp(-a))) * up[i]!);
        return add(row, matvec(act, p('w_down')));
      });
    }
    const out = new Map<number, Float32Array>();
    let n = 0;
    for (const s of batch.seqs) {
      n += s.tokens.length;
      if (!s.sample) continue;
      const last = rmsNorm(x[n - 1]!, w('final_norm').data, m.rmsEps);
      out.set(s.id, Float32Array.from(m.tiedEmbeddings ? rowDots(w('embed'), last) : matvec(last, w('lm_head'))));
    }
    return out;
  }

  private tensor(name: string): HostTensor {
    let t = this.tensors.get(name);
    if (!t) {
      t = this.weights.tensor(name);
      this.tensors.set(name, t);
    }
    return t;
  }

  private slot(table: readonly number[], pos: number): number {
    return table[Math.floor(pos / this.blockSize)]! * this.blockSize + (pos % this.blockSize);
  }

  /** Causal attention of one query row at `pos` over positions 0..pos of its sequence. */
  private attend(layer: number, q: Float64Array, table: readonly number[], pos: number): Float64Array {
    const { heads, kvHeads, headDim: d } = this.model;
    const group = heads / kvHeads;
    const width = kvHeads * d;
    const out = new Float64Array(heads * d);
    const scores = new Float64Array(pos + 1);
    for (let h = 0; h < heads; h++) {
      const g = Math.floor(h / group);
      let max = -Infinity;
      for (let t = 0; t <= pos; t++) {
        const base = this.slot(table, t) * width + g * d;
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[h * d + c]! * this.k[layer]![base + c]!;
        scores[t] = dot / Math.sqrt(d);
        max = Math.max(max, scores[t]!);
      }
      let sum = 0;
      for (let t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t]! - max);
      for (let t = 0; t <= pos; t++) {
        const base = this.slot(table, t) * width + g * d;
        for (let c = 0; c < d; c++) out[h * d + c]! += (scores[t]! / sum) * this.v[layer]![base + c]!;
      }
    }
    return out;
  }
}

/** row [K] · W [K, M] → [M]. */
function matvec(row: Float64Array, w: HostTensor): Float64Array {
  const [K, M] = w.shape as [number, number];
  const out = new Float64Array(M);
  for (let kk = 0; kk < K; kk++) {
    const a = row[kk]!;
    if (a === 0) continue;
    const off = kk * M;
    for (let j = 0; j < M; j++) out[j]! += a * w.data[off + j]!;
  }
  return out;
}

/** E [R, K] · row [K] → [R] (the LM head of tied embeddings: logit v = embedding row v · x). */
function rowDots(e: HostTensor, row: Float64Array): Float64Array {
  const [R, K] = e.shape as [number, number];
  const out = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let dot = 0;
    for (let kk = 0; kk < K; kk++) dot += e.data[r * K + kk]! * row[kk]!;
    out[r] = dot;
  }
  return out;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((x, i) => x + b[i]!);
}

function rmsNorm(x: Float64Array, gain: Float32Array, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const r = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * r * gain[i]!);
}

/** RMSNorm of each head's d values in place (Qwen3's q/k norm). */
function headNorm(x: Float64Array, gain: Float32Array, d: number, eps: number): void {
  for (let h = 0; h < x.length / d; h++) x.set(rmsNorm(x.subarray(h * d, (h + 1) * d), gain, eps), h * d);
}

/**
 * Rotate-half RoPE in place (HF Llama's `rotate_half`): pair (x[i], x[i + d/2]) of each head
 * → (x1·cos − x2·sin, x2·cos + x1·sin) at angle pos · invFreq[i].
 */
function rope(x: Float64Array, pos: number, invFreq: Float64Array): void {
  const half = invFreq.length;
  const d = 2 * half;
  for (let h = 0; h < x.length / d; h++) {
    for (let i = 0; i < half; i++) {
      const angle = pos * invFreq[i]!;
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      const a = x[h * d + i]!;
      const b = x[h * d + i + half]!;
      x[h * d + i] = a * c - b * s;
      x[h * d + i + half] = b * c + a * s;
    }
  }
}
