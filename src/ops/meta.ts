import { type AttentionBatch, type KvCacheSpec, type Ops, OpsError, dims2, numel } from './types.ts';
import type { QuantScheme } from '../model/config.ts';
import type { GemmScheme, Trace } from './trace.ts';

/**
 * The meta backend: tensors are shapes, and every op appends what it would cost to a Trace.
 * Running a strategy's rank code on it yields the op list the cost model prices, so the
 * simulator can only model what the executor really does.
 */
export interface MetaTensor {
  readonly shape: readonly number[];
  /** Bytes per element: weights may be FP8 (1) or BF16 (2); activations BF16 (2). */
  readonly elem: number;
}

export interface MetaKvCache {
  readonly spec: KvCacheSpec;
}

export interface MetaDtypes {
  readonly weightBytes: number;
  readonly actBytes: number;
  readonly kvBytes: number;
  /** How FP8 weights (weightBytes 1) are quantized; default per-channel. */
  readonly quant?: QuantScheme;
}

/** Bytes of one FP32 quantization scale. */
const SCALE_BYTES = 4;

export const BF16: MetaDtypes = { weightBytes: 2, actBytes: 2, kvBytes: 2 };

export class MetaOps implements Ops<MetaTensor, MetaKvCache> {
  readonly backend = 'meta';

  constructor(
    private readonly trace: Trace,
    readonly dtypes: MetaDtypes = BF16,
  ) {}

  private act(shape: readonly number[]): MetaTensor {
    return { shape, elem: this.dtypes.actBytes };
  }

  private bytes(x: MetaTensor): number {
    return numel(x.shape) * x.elem;
  }

  private memory(name: string, bytes: number): void {
    this.trace.push({ op: 'memory', name, bytes });
  }

  upload(_data: Float32Array, shape: readonly number[]): MetaTensor {
    return this.act(shape);
  }

  weight(shape: readonly number[]): MetaTensor {
    return { shape, elem: shape.length === 1 ? this.dtypes.actBytes : this.dtypes.weightBytes };
  }

  download(): Float32Array {
    throw new OpsError('the meta backend holds shapes, not numbers: download() is not available');
  }

  shape(x: MetaTensor): readonly number[] {
    return x.shape;
  }

  scope<R>(fn: () => R): R {
    return fn();
  }

  embedding(table: MetaTensor, ids: Int32Array): MetaTensor {
    const H = table.shape[1]!;
    const out = this.act([ids.length, H]);
    this.memory('embedding', ids.length * H * (table.elem + out.elem));
    return out;
  }

  rmsNorm(x: MetaTensor, _gain: MetaTensor): MetaTensor {
    this.memory('rms_norm', 2 * this.bytes(x));
    return this.act(x.shape);
  }

  /**
   * A GEMM. With FP8 weights vLLM runs W8A8: a kernel first quantizes the input at run time
   * (per token, or per token and group of `block` columns for block-scaled checkpoints), reading
   * BF16 and writing FP8 plus the scales, then the FP8 GEMM reads the FP8 input.
   */
  matmul(x: MetaTensor, w: MetaTensor): MetaTensor {
    const [m, k] = dims2(x.shape, 'matmul');
    const [k2, n] = dims2(w.shape, 'matmul');
    if (k !== k2) throw new OpsError(`matmul: inner dimensions differ: [${m}, ${k}] · [${k2}, ${n}]`);
    const actBytes = this.dtypes.actBytes;
    const scheme = this.gemmScheme(w);
    if (scheme !== 'bf16') {
      const groups = scheme === 'fp8-block' ? Math.ceil(k / this.blockSize()) : 1;
      this.memory('act_quant', m * k * (x.elem + 1) + m * groups * SCALE_BYTES);
    }
    this.trace.push({ op: 'gemm', m, n, k, weightBytes: w.elem, inBytes: scheme === 'bf16' ? x.elem : 1, actBytes, scheme });
    return this.act([m, n]);
  }

  private gemmScheme(w: MetaTensor): GemmScheme {
    if (w.elem > 1) return 'bf16';
    return this.dtypes.quant?.kind ?? 'fp8-channel';
  }

  private blockSize(): number {
    const q = this.dtypes.quant;
    return q?.kind === 'fp8-block' ? q.block : 1;
  }

  add(a: MetaTensor): MetaTensor {
    this.memory('add', 3 * this.bytes(a));
    return this.act(a.shape);
  }

  siluMul(x: MetaTensor): MetaTensor {
    const [N, F2] = dims2(x.shape, 'siluMul');
    this.memory('silu_mul', 1.5 * this.bytes(x));
    return this.act([N, F2 / 2]);
  }

  rope(x: MetaTensor): MetaTensor {
    this.memory('rope', 2 * this.bytes(x));
    return this.act(x.shape);
  }

  sliceRows(x: MetaTensor, _start: number, count: number): MetaTensor {
    return this.act([count, x.shape[1]!]);
  }

  selectRows(x: MetaTensor, rows: Int32Array): MetaTensor {
    const out = this.act([rows.length, x.shape[1]!]);
    this.memory('select_rows', 2 * this.bytes(out));
    return out;
  }

  padRows(x: MetaTensor, rows: number): MetaTensor {
    return this.act([rows, x.shape[1]!]);
  }

  concatRows(xs: readonly MetaTensor[]): MetaTensor {
    return this.act([xs.reduce((a, x) => a + x.shape[0]!, 0), xs[0]!.shape[1]!]);
  }

  sliceCols(x: MetaTensor, _start: number, count: number): MetaTensor {
    return this.act([x.shape[0]!, count]);
  }

  selectColumns(x: MetaTensor, cols: Int32Array): MetaTensor {
    const out = this.act([x.shape[0]!, cols.length]);
    this.memory('ulysses_pack', 2 * this.bytes(out));
    return out;
  }

  colBlocksToRows(x: MetaTensor, blocks: number): MetaTensor {
    const [n, W] = dims2(x.shape, 'colBlocksToRows');
    this.memory('ulysses_pack', 2 * this.bytes(x));
    return this.act([blocks * n, W / blocks]);
  }

  rowBlocksToCols(x: MetaTensor, blocks: number): MetaTensor {
    const [R, w] = dims2(x.shape, 'rowBlocksToCols');
    this.memory('ulysses_unpack', 2 * this.bytes(x));
    return this.act([R / blocks, blocks * w]);
  }

  createKvCache(spec: KvCacheSpec): MetaKvCache {
    return { spec };
  }

  writeKv(cache: MetaKvCache, _layer: number, k: MetaTensor, _v: MetaTensor, slots: Int32Array): void {
    let written = 0; // slots of -1 (padding) write nothing; a loop, not filter(): N reaches 131072
    for (let i = 0; i < slots.length; i++) if (slots[i]! >= 0) written++;
    const width = cache.spec.kvHeads * cache.spec.headDim;
    this.memory('kv_write', written * width * 2 * (k.elem + this.dtypes.kvBytes));
  }

  attention(q: MetaTensor, _cache: MetaKvCache, _layer: number, b: AttentionBatch): MetaTensor {
    this.trace.push({
      op: 'attention',
      qHeads: b.qHeads,
      kvHeads: b.kvHeads,
      headDim: b.headDim,
      kvBytes: this.dtypes.kvBytes,
      actBytes: this.dtypes.actBytes,
      seqs: b.seqs.map((s) => ({ q: s.queryLen, ctx: s.contextLen })),
    });
    return this.act(q.shape);
  }

  readKv(): Float32Array {
    throw new OpsError('the meta backend holds no KV values: readKv() is not available');
  }

  argmax(logits: MetaTensor): Int32Array {
    this.memory('argmax', this.bytes(logits));
    return new Int32Array(logits.shape[0]!);
  }
}
