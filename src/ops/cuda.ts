import { type CudaContext, type CudaDeviceInfo, type DeviceBuffer, type DtypeCode, requireCuda } from './cuda-addon.ts';
import { fromBf16, toBf16 } from './cuda-bf16.ts';
import { planAttention, planGemm } from './cuda-plan.ts';
import { type AttentionBatch, type KvCacheSpec, type Ops, OpsError, dims2, numel } from './types.ts';

/**
 * The GPU backend: our kernels (cuda/) through the Node-API addon, one stream per rank.
 *
 * Two modes. 'float32': every tensor float32, GEMMs on the CUDA cores; it matches the CPU
 * reference to rounding (relative error ≤ 1e-5 per kernel) and is what the executor tests run.
 * 'bf16': matrices (weights, activations, KV cache) in bfloat16 with FP32 accumulation, GEMMs
 * on the tensor cores; 1-D weights (norm gains) stay float32.
 *
 * Tensors are device buffers, never views: every op allocates its output (stream-ordered
 * cudaMallocAsync, so allocation and free cost no synchronisation). `scope` frees what it
 * created; index arrays (ids, positions, slots, attention work lists) are uploaded per call and
 * freed right after their kernel is enqueued. With `poison`, every new tensor is filled with
 * NaN first, so an element a kernel fails to write shows up.
 */
export type CudaDtype = 'float32' | 'bf16';

export class CudaTensor {
  constructor(
    readonly buf: DeviceBuffer,
    readonly shape: readonly number[],
    readonly dtype: CudaDtype,
  ) {}

  get bytes(): number {
    return numel(this.shape) * elemBytes(this.dtype);
  }
}

/** One rank's paged cache: K and V each [layers, blocks·blockSize, g·d], slot-major per layer. */
export interface CudaKvCache {
  readonly spec: KvCacheSpec;
  readonly dtype: CudaDtype;
  readonly k: DeviceBuffer;
  readonly v: DeviceBuffer;
  /** Bytes of one layer in k (and v). */
  readonly layerBytes: number;
}

export interface CudaOpsOptions {
  readonly dtype?: CudaDtype;
  readonly device?: number;
  /** Fill every new tensor with NaN before its kernel writes it (tests). */
  readonly poison?: boolean;
}

export function elemBytes(dtype: CudaDtype): 2 | 4 {
  return dtype === 'float32' ? 4 : 2;
}

function code(dtype: CudaDtype): DtypeCode {
  return dtype === 'float32' ? 0 : 1;
}

/** The cuda Ops of one rank; throws CudaUnavailableError (with the reason) when no GPU is usable. */
export function createCudaOps(o: CudaOpsOptions = {}): CudaOps {
  const { addon, probe } = requireCuda();
  const device = o.device ?? 0;
  if (device >= probe.devices) throw new OpsError(`cuda device ${device} does not exist (${probe.devices} visible)`);
  return new CudaOps(new addon.Context(device), addon.deviceInfo(device), o.dtype ?? 'float32', o.poison ?? false);
}

export class CudaOps implements Ops<CudaTensor, CudaKvCache> {
  readonly backend: string;
  private readonly scopes: CudaTensor[][] = [];

  constructor(
    readonly ctx: CudaContext,
    readonly info: CudaDeviceInfo,
    readonly dtype: CudaDtype,
    private readonly poison: boolean,
  ) {
    this.backend = `cuda-${dtype}`;
  }

  /** A new tensor owned by the innermost scope (poisoned in poison mode). */
  empty(shape: readonly number[], dtype: CudaDtype = this.dtype): CudaTensor {
    const t = new CudaTensor(this.ctx.alloc(numel(shape) * elemBytes(dtype)), [...shape], dtype);
    if (this.poison) this.ctx.fill(t.buf, 0xff, 0, t.bytes);
    this.scopes.at(-1)?.push(t);
    return t;
  }

  /** Waits for every kernel this rank enqueued. */
  synchronize(): void {
    this.ctx.synchronize();
  }

  upload(data: Float32Array, shape: readonly number[]): CudaTensor {
    return this.fromHost(data, shape, this.dtype);
  }

  weight(shape: readonly number[], fill: () => Float32Array): CudaTensor {
    const dtype = shape.length === 1 ? 'float32' : this.dtype;
    const data = fill();
    if (data.length !== numel(shape)) throw new OpsError(`weight: ${data.length} values for shape [${shape.join(', ')}]`);
    const t = new CudaTensor(this.ctx.alloc(data.length * elemBytes(dtype)), [...shape], dtype);
    this.ctx.upload(t.buf, 0, dtype === 'float32' ? data : toBf16(data));
    return t; // weights outlive scopes, as tf.keep does for the CPU backend
  }

  download(x: CudaTensor): Float32Array {
    if (x.dtype === 'float32') {
      const out = new Float32Array(numel(x.shape));
      this.ctx.download(x.buf, 0, out);
      return out;
    }
    const raw = new Uint16Array(numel(x.shape));
    this.ctx.download(x.buf, 0, raw);
    return fromBf16(raw);
  }

  shape(x: CudaTensor): readonly number[] {
    return x.shape;
  }

  scope<R>(fn: () => R): R {
    const created: CudaTensor[] = [];
    this.scopes.push(created);
    let result: R;
    try {
      result = fn();
    } catch (e) {
      this.scopes.pop();
      for (const t of created) t.buf.free();
      throw e;
    }
    this.scopes.pop();
    const kept = new Set<CudaTensor>();
    collectTensors(result, kept, 0);
    for (const t of created) {
      if (kept.has(t)) this.scopes.at(-1)?.push(t);
      else t.buf.free();
    }
    return result;
  }

  embedding(table: CudaTensor, ids: Int32Array): CudaTensor {
    const [V, H] = dims2(table.shape, 'embedding');
    checkIndices(ids, V, 'embedding: token id');
    const out = this.empty([ids.length, H], table.dtype);
    this.withCopy(ids, (rows) => this.ctx.gatherRows(elemBytes(table.dtype), out.buf, table.buf, rows, ids.length, H, V));
    return out;
  }

  rmsNorm(x: CudaTensor, gain: CudaTensor, eps: number): CudaTensor {
    const [N, C] = dims2(x.shape, 'rmsNorm');
    const c = gain.shape[0]!;
    if (gain.shape.length !== 1 || gain.dtype !== 'float32' || C % c !== 0) {
      throw new OpsError(`rmsNorm: gain must be a float32 vector whose length divides ${C}, got [${gain.shape.join(', ')}] ${gain.dtype}`);
    }
    const out = this.empty([N, C], x.dtype);
    this.ctx.rmsNorm(code(x.dtype), out.buf, x.buf, gain.buf, N, C, c, eps);
    return out;
  }

  matmul(x: CudaTensor, w: CudaTensor): CudaTensor {
    const [M, K] = dims2(x.shape, 'matmul');
    const [K2, N] = dims2(w.shape, 'matmul');
    if (K !== K2) throw new OpsError(`matmul: inner dimensions differ: [${M}, ${K}] · [${K2}, ${N}]`);
    sameDtype('matmul', x, w);
    const out = this.empty([M, N], x.dtype);
    if (x.dtype === 'float32') {
      this.ctx.gemmF32(out.buf, x.buf, w.buf, M, N, K);
      return out;
    }
    const plan = planGemm(M, N, K, this.info.sms);
    const workspace = plan.splits > 1 ? this.ctx.alloc(plan.workspaceBytes) : null;
    this.ctx.gemmBf16(out.buf, x.buf, w.buf, M, N, K, plan.tile, plan.splits, plan.kTilesPerSplit, workspace);
    workspace?.free();
    return out;
  }

  add(a: CudaTensor, b: CudaTensor): CudaTensor {
    if (a.shape.join() !== b.shape.join()) throw new OpsError(`add: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
    sameDtype('add', a, b);
    const out = this.empty(a.shape, a.dtype);
    this.ctx.add(code(a.dtype), out.buf, a.buf, b.buf, numel(a.shape));
    return out;
  }

  siluMul(x: CudaTensor): CudaTensor {
    const [N, F2] = dims2(x.shape, 'siluMul');
    if (F2 % 2 !== 0) throw new OpsError(`siluMul: ${F2} columns are not gate | up halves`);
    const out = this.empty([N, F2 / 2], x.dtype);
    this.ctx.siluMul(code(x.dtype), out.buf, x.buf, N, F2 / 2);
    return out;
  }

  rope(x: CudaTensor, positions: Int32Array, invFreq: Float64Array): CudaTensor {
    const [N, C] = dims2(x.shape, 'rope');
    const headDim = 2 * invFreq.length;
    if (positions.length !== N) throw new OpsError(`rope: ${positions.length} positions for ${N} rows`);
    if (headDim === 0 || C % headDim !== 0) throw new OpsError(`rope: ${C} columns are not whole heads of ${headDim}`);
    const out = this.empty([N, C], x.dtype);
    this.withCopy(positions, (pos) =>
      this.withCopy(invFreq, (inv) => this.ctx.rope(code(x.dtype), out.buf, x.buf, pos, inv, N, C, headDim)),
    );
    return out;
  }

  sliceRows(x: CudaTensor, start: number, count: number): CudaTensor {
    const [N, C] = dims2(x.shape, 'sliceRows');
    if (start < 0 || count < 0 || start + count > N) throw new OpsError(`sliceRows: rows [${start}, ${start + count}) of ${N}`);
    const out = this.empty([count, C], x.dtype);
    const row = C * elemBytes(x.dtype);
    this.ctx.copy(out.buf, 0, x.buf, start * row, count * row);
    return out;
  }

  selectRows(x: CudaTensor, rows: Int32Array): CudaTensor {
    const [N, C] = dims2(x.shape, 'selectRows');
    checkIndices(rows, N, 'selectRows: row');
    const out = this.empty([rows.length, C], x.dtype);
    this.withCopy(rows, (r) => this.ctx.gatherRows(elemBytes(x.dtype), out.buf, x.buf, r, rows.length, C, N));
    return out;
  }

  padRows(x: CudaTensor, rows: number): CudaTensor {
    const [N, C] = dims2(x.shape, 'padRows');
    if (rows < N) throw new OpsError(`padRows: cannot pad ${N} rows down to ${rows}`);
    const out = this.empty([rows, C], x.dtype);
    const row = C * elemBytes(x.dtype);
    this.ctx.copy(out.buf, 0, x.buf, 0, N * row);
    this.ctx.fill(out.buf, 0, N * row, (rows - N) * row);
    return out;
  }

  concatRows(xs: readonly CudaTensor[]): CudaTensor {
    if (xs.length === 0) throw new OpsError('concatRows: no tensors');
    const C = dims2(xs[0]!.shape, 'concatRows')[1];
    for (const x of xs) {
      if (dims2(x.shape, 'concatRows')[1] !== C || x.dtype !== xs[0]!.dtype) throw new OpsError('concatRows: tensors differ in columns or dtype');
    }
    const out = this.empty([xs.reduce((a, x) => a + x.shape[0]!, 0), C], xs[0]!.dtype);
    let offset = 0;
    for (const x of xs) {
      this.ctx.copy(out.buf, offset, x.buf, 0, x.bytes);
      offset += x.bytes;
    }
    return out;
  }

  sliceCols(x: CudaTensor, start: number, count: number): CudaTensor {
    const [N, C] = dims2(x.shape, 'sliceCols');
    if (start < 0 || count < 0 || start + count > C) throw new OpsError(`sliceCols: columns [${start}, ${start + count}) of ${C}`);
    const out = this.empty([N, count], x.dtype);
    const e = elemBytes(x.dtype);
    this.ctx.copy2d(out.buf, 0, count * e, x.buf, start * e, C * e, count * e, N);
    return out;
  }

  selectColumns(x: CudaTensor, cols: Int32Array): CudaTensor {
    const [N, C] = dims2(x.shape, 'selectColumns');
    checkIndices(cols, C, 'selectColumns: column');
    const out = this.empty([N, cols.length], x.dtype);
    this.withCopy(cols, (c) => this.ctx.selectCols(elemBytes(x.dtype), out.buf, x.buf, c, N, C, cols.length));
    return out;
  }

  colBlocksToRows(x: CudaTensor, blocks: number): CudaTensor {
    const [n, W] = dims2(x.shape, 'colBlocksToRows');
    if (W % blocks !== 0) throw new OpsError(`colBlocksToRows: ${W} columns do not split into ${blocks} blocks`);
    const out = this.empty([blocks * n, W / blocks], x.dtype);
    this.ctx.swapBlocks(elemBytes(x.dtype), out.buf, x.buf, n, blocks, W / blocks); // [n, s, w] → [s, n, w]
    return out;
  }

  rowBlocksToCols(x: CudaTensor, blocks: number): CudaTensor {
    const [R, w] = dims2(x.shape, 'rowBlocksToCols');
    if (R % blocks !== 0) throw new OpsError(`rowBlocksToCols: ${R} rows do not split into ${blocks} blocks`);
    const out = this.empty([R / blocks, blocks * w], x.dtype);
    this.ctx.swapBlocks(elemBytes(x.dtype), out.buf, x.buf, blocks, R / blocks, w); // [s, n, w] → [n, s, w]
    return out;
  }

  createKvCache(spec: KvCacheSpec): CudaKvCache {
    const layerBytes = spec.blocks * spec.blockSize * spec.kvHeads * spec.headDim * elemBytes(this.dtype);
    const alloc = (): DeviceBuffer => {
      const buf = this.ctx.alloc(spec.layers * layerBytes);
      this.ctx.fill(buf, 0, 0, spec.layers * layerBytes); // unwritten slots read as 0, as on the CPU
      return buf;
    };
    return { spec, dtype: this.dtype, k: alloc(), v: alloc(), layerBytes };
  }

  writeKv(cache: CudaKvCache, layer: number, k: CudaTensor, v: CudaTensor, slots: Int32Array): void {
    const { spec } = cache;
    const width = spec.kvHeads * spec.headDim;
    const capacity = spec.blocks * spec.blockSize;
    for (const t of [k, v]) {
      const [N, W] = dims2(t.shape, 'writeKv');
      if (N !== slots.length || W !== width || t.dtype !== cache.dtype) {
        throw new OpsError(`writeKv: expected [${slots.length}, ${width}] ${cache.dtype}, got [${t.shape.join(', ')}] ${t.dtype}`);
      }
    }
    if (layer < 0 || layer >= spec.layers) throw new OpsError(`writeKv: layer ${layer} of ${spec.layers}`);
    for (const slot of slots) {
      if (slot < -1 || slot >= capacity) throw new OpsError(`writeKv: slot ${slot} is outside the cache (${capacity} slots)`);
    }
    this.withCopy(slots, (s) => this.ctx.writeKv(elemBytes(cache.dtype), cache.k, cache.v, layer * cache.layerBytes, capacity, k.buf, v.buf, s, slots.length, width));
  }

  attention(q: CudaTensor, cache: CudaKvCache, layer: number, b: AttentionBatch): CudaTensor {
    const [N, C] = dims2(q.shape, 'attention');
    const { spec } = cache;
    if (C !== b.qHeads * b.headDim || b.kvHeads !== spec.kvHeads || b.headDim !== spec.headDim || b.blockSize !== spec.blockSize || q.dtype !== cache.dtype) {
      throw new OpsError(`attention: q [${N}, ${C}] ${q.dtype} with ${b.qHeads}×${b.headDim} heads does not match the ${cache.dtype} cache of ${spec.kvHeads} KV heads × ${spec.headDim}, blocks of ${spec.blockSize}`);
    }
    if (layer < 0 || layer >= spec.layers) throw new OpsError(`attention: layer ${layer} of ${spec.layers}`);
    const plan = planAttention(b, { rows: N, blocks: spec.blocks, sms: this.info.sms });
    const out = this.empty([N, C], q.dtype);
    const ints = [plan.items, plan.seqs, plan.tables, plan.combine].map((a) => this.deviceCopy(a));
    const [items, seqs, tables, combine] = ints as [DeviceBuffer, DeviceBuffer, DeviceBuffer, DeviceBuffer];
    const partials = plan.partials > 0 ? this.ctx.alloc(plan.partials * plan.rows * (b.headDim + 2) * 4) : null;
    try {
      this.ctx.attention(
        code(q.dtype), out.buf, q.buf, cache.k, cache.v, layer * cache.layerBytes, spec.blocks * spec.blockSize,
        items, plan.items.length / 9, seqs, b.seqs.length, tables, plan.tables.length,
        plan.combine.length > 0 ? combine : null, plan.combine.length / 8, partials, plan.partials,
        N, b.qHeads, b.kvHeads, b.headDim, b.blockSize, plan.rows, b.scale,
      );
    } finally {
      for (const buf of ints) buf.free();
      partials?.free();
    }
    return out;
  }

  readKv(cache: CudaKvCache): Float32Array {
    const { spec } = cache;
    const n = spec.layers * spec.blocks * spec.blockSize * spec.kvHeads * spec.headDim;
    const part = (buf: DeviceBuffer): Float32Array => {
      if (cache.dtype === 'float32') {
        const host = new Float32Array(n);
        this.ctx.download(buf, 0, host);
        return host;
      }
      const raw = new Uint16Array(n);
      this.ctx.download(buf, 0, raw);
      return fromBf16(raw);
    };
    const out = new Float32Array(2 * n); // every layer's K, then every layer's V (as the CPU backend)
    out.set(part(cache.k), 0);
    out.set(part(cache.v), n);
    return out;
  }

  argmax(logits: CudaTensor): Int32Array {
    const [B, V] = dims2(logits.shape, 'argmax');
    const out = new Int32Array(B);
    if (B === 0) return out;
    const idx = this.ctx.alloc(B * 4);
    try {
      this.ctx.argmax(code(logits.dtype), idx, logits.buf, B, V);
      this.ctx.download(idx, 0, out);
    } finally {
      idx.free();
    }
    return out;
  }

  private fromHost(data: Float32Array, shape: readonly number[], dtype: CudaDtype): CudaTensor {
    if (data.length !== numel(shape)) throw new OpsError(`upload: ${data.length} values for shape [${shape.join(', ')}]`);
    const t = this.empty(shape, dtype);
    this.ctx.upload(t.buf, 0, dtype === 'float32' ? data : toBf16(data));
    return t;
  }

  /** A device copy of host indices or parameters (the caller frees it). */
  private deviceCopy(a: Int32Array | Float64Array): DeviceBuffer {
    const buf = this.ctx.alloc(a.byteLength);
    if (a.length > 0) this.ctx.upload(buf, 0, a);
    return buf;
  }

  /** Runs `launch` with `a` on the device, then frees that copy (after the launch, in stream order). */
  private withCopy(a: Int32Array | Float64Array, launch: (buf: DeviceBuffer) => void): void {
    const buf = this.deviceCopy(a);
    try {
      launch(buf);
    } finally {
      buf.free();
    }
  }
}

function sameDtype(op: string, a: CudaTensor, b: CudaTensor): void {
  if (a.dtype !== b.dtype) throw new OpsError(`${op}: operands are ${a.dtype} and ${b.dtype}`);
}

function checkIndices(idx: Int32Array, limit: number, what: string): void {
  for (const i of idx) {
    if (i < 0 || i >= limit) throw new OpsError(`${what} ${i} is outside [0, ${limit})`);
  }
}

/** The tensors a scope's result keeps alive (arrays and plain objects are searched). */
function collectTensors(x: unknown, into: Set<CudaTensor>, depth: number): void {
  if (x instanceof CudaTensor) into.add(x);
  else if (depth > 4 || x === null || typeof x !== 'object') return;
  else if (Array.isArray(x)) for (const v of x) collectTensors(v, into, depth + 1);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, into, depth + 1);
}
