/**
 * The per-rank operators a Llama layer needs, written once by every strategy and implemented
 * by each backend (tfjs: CPU numerics; cuda: our kernels; meta: shapes and costs only).
 * Tensors are opaque handles `T`; a backend's KV cache is the opaque handle `C`.
 *
 * Matrices are row-major [rows, cols]; activations are [tokens, features]. Head-major
 * features: column c of a [N, heads·d] tensor is head ⌊c/d⌋, dim c mod d.
 */
export interface Ops<T, C = unknown> {
  readonly backend: string;

  /** An activation from host data. */
  upload(data: Float32Array, shape: readonly number[]): T;
  /** A weight; `fill` is only called by backends that hold real numbers. */
  weight(shape: readonly number[], fill: () => Float32Array): T;
  download(x: T): Float32Array;
  shape(x: T): readonly number[];
  /** Runs `fn`, then frees every tensor it created except those in its result. */
  scope<R>(fn: () => R): R;
  /** Frees every weight this instance made (a rank worker re-initialised for another deployment); absent where nothing outlives the rank. */
  dispose?(): void;

  /** [V, H] table, N ids → [N, H]. */
  embedding(table: T, ids: Int32Array): T;
  /** RMSNorm over each contiguous group of gain.length columns: [N, C] with C % c = 0. */
  rmsNorm(x: T, gain: T, eps: number): T;
  /** [N, K] · [K, M] → [N, M]. */
  matmul(x: T, w: T): T;
  add(a: T, b: T): T;
  /** [N, 2F] → [N, F]: silu(x[:, :F]) · x[:, F:]. */
  siluMul(x: T): T;
  /**
   * Rotary embedding, rotate-half convention (HF Llama / Qwen3; llama.cpp's NEOX), on
   * [N, heads·d] with d = 2·invFreq.length: in every head, the pair (c, c + d/2) of row n rotates
   * by the angle positions[n] · invFreq[c] (see model/rope.ts for the table).
   */
  rope(x: T, positions: Int32Array, invFreq: Float64Array): T;

  sliceRows(x: T, start: number, count: number): T;
  selectRows(x: T, rows: Int32Array): T;
  /** Appends zero rows up to `rows`. */
  padRows(x: T, rows: number): T;
  concatRows(xs: readonly T[]): T;
  sliceCols(x: T, start: number, count: number): T;
  /** Columns by index (repeats allowed): [N, C] → [N, cols.length]. */
  selectColumns(x: T, cols: Int32Array): T;
  /** [n, s·w] → [s·n, w]: column block k becomes row block k (Ulysses pack). */
  colBlocksToRows(x: T, blocks: number): T;
  /** [s·n, w] → [n, s·w]: row block k becomes column block k (Ulysses unpack). */
  rowBlocksToCols(x: T, blocks: number): T;

  createKvCache(spec: KvCacheSpec): C;
  /** Writes k, v [N, g·d] at the given slots (block · blockSize + offset); slot -1 is skipped. */
  writeKv(cache: C, layer: number, k: T, v: T, slots: Int32Array): void;
  /** Causal attention of q [N, h·d] over the paged cache; returns [N, h·d]. */
  attention(q: T, cache: C, layer: number, batch: AttentionBatch): T;
  /** The whole cache of one rank, for debug checksums; meta backends cannot. */
  readKv(cache: C): Float32Array;

  /** Row-wise argmax of [B, V] logits (first maximum wins). */
  argmax(logits: T): Int32Array;
}

export interface KvCacheSpec {
  readonly layers: number;
  readonly blocks: number;
  readonly blockSize: number;
  /** KV heads this rank stores (after replication). */
  readonly kvHeads: number;
  readonly headDim: number;
}

/**
 * One sequence's slice of an attention call: its query rows are q[rowStart, rowStart + queryLen),
 * at positions contextLen - queryLen .. contextLen - 1, attending causally to KV positions
 * 0 .. contextLen - 1 held in the blocks of `blockTable`.
 */
export interface AttentionSeq {
  readonly rowStart: number;
  readonly queryLen: number;
  readonly contextLen: number;
  readonly blockTable: Int32Array;
}

export interface AttentionBatch {
  readonly seqs: readonly AttentionSeq[];
  readonly blockSize: number;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly scale: number;
}

export class OpsError extends Error {
  override readonly name = 'OpsError';
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Throws unless `shape` is 2-D; returns [rows, cols]. */
export function dims2(shape: readonly number[], op: string): [number, number] {
  if (shape.length !== 2) throw new OpsError(`${op}: expected a 2-D tensor, got shape [${shape.join(', ')}]`);
  return [shape[0]!, shape[1]!];
}
