import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A reader of one safetensors file (huggingface/safetensors, docs "Format"): an 8-byte
 * little-endian header length N, N bytes of JSON
 *   { "<tensor>": { "dtype": "BF16", "shape": [rows, cols], "data_offsets": [begin, end] }, …,
 *     "__metadata__": { … } }
 * then the data, each tensor row-major and little-endian, offsets relative to byte 8 + N.
 * Only the bytes asked for are read (positioned reads on one descriptor), so a rank reading its
 * shard touches only that shard's byte ranges.
 */

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

/** The element types the reader converts to float32. */
const ELEMENT_BYTES = { F32: 4, F16: 2, BF16: 2 } as const;
type TensorDtype = keyof typeof ELEMENT_BYTES;

export interface TensorEntry {
  readonly name: string;
  /** As the header spells it; reading a tensor whose dtype is not a TensorDtype throws. */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Absolute byte offset of element 0 in the file. */
  readonly offset: number;
}

/** Reads are split into pieces of at most this many bytes (readSync takes at most 2 GiB). */
const MAX_READ = 1 << 26;
/** The format caps the header at 100 MB; a larger length means a corrupt or foreign file. */
const MAX_HEADER = 100_000_000;

export class SafetensorsFile {
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /** Tensor bytes read so far (not the header): tests check that shards read only theirs. */
  bytesRead = 0;
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.tensors = this.readHeader(fstatSync(this.fd).size);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Elements [start, start + count) of a tensor in row-major order, converted to float32 into out[at…]. */
  read(name: string, start: number, count: number, out: Float32Array, at = 0): void {
    const t = this.entry(name);
    const dtype = t.dtype as TensorDtype;
    const size = ELEMENT_BYTES[dtype];
    if (size === undefined) {
      throw new CheckpointError(`${this.path}: tensor '${name}' has dtype ${t.dtype}; supported: ${Object.keys(ELEMENT_BYTES).join(', ')}`);
    }
    for (let done = 0; done < count; ) {
      const n = Math.min(count - done, Math.floor(MAX_READ / size));
      const bytes = this.readBytes(t.offset + (start + done) * size, n * size);
      decode(dtype, bytes, out.subarray(at + done, at + done + n));
      done += n;
    }
  }

  entry(name: string): TensorEntry {
    const t = this.tensors.get(name);
    if (!t) throw new CheckpointError(`${this.path} has no tensor '${name}'`);
    return t;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private readBytes(position: number, length: number): Buffer {
    if (this.fd === null) throw new CheckpointError(`${this.path} was closed`);
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, position + got);
      if (n === 0) throw new CheckpointError(`${this.path}: file ends at byte ${position + got}, inside a tensor`);
      got += n;
    }
    this.bytesRead += length;
    return buf;
  }

  private readHeader(fileSize: number): Map<string, TensorEntry> {
    const bad = (what: string): never => {
      throw new CheckpointError(`${this.path}: not a safetensors file (${what})`);
    };
    if (fileSize < 8) bad(`${fileSize} bytes`);
    const length = Number(this.readBytes(0, 8).readBigUInt64LE(0));
    if (length > MAX_HEADER || 8 + length > fileSize) bad(`header length ${length} in a file of ${fileSize} bytes`);
    let header: unknown;
    try {
      header = JSON.parse(this.readBytes(8, length).toString('utf8'));
    } catch (e) {
      bad(`header is not JSON: ${(e as Error).message}`);
    }
    this.bytesRead = 0;
    if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('header is not a JSON object');
    const base = 8 + length;
    const tensors = new Map<string, TensorEntry>();
    for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') continue;
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const shape = e.shape;
      const offsets = e.data_offsets;
      if (typeof e.dtype !== 'string' || !isCounts(shape) || !isCounts(offsets) || offsets.length !== 2) {
        bad(`tensor '${name}' needs dtype, shape and data_offsets [begin, end]`);
      }
      const [begin, end] = offsets as number[];
      const size = ELEMENT_BYTES[e.dtype as TensorDtype];
      const expected = size === undefined ? end! - begin! : size * (shape as number[]).reduce((a, b) => a * b, 1);
      if (end! - begin! !== expected || base + end! > fileSize) {
        bad(`tensor '${name}' ${e.dtype} [${(shape as number[]).join(', ')}] has data_offsets [${begin}, ${end}] (file has ${fileSize - base} data bytes)`);
      }
      tensors.set(name, { name, dtype: e.dtype as string, shape: shape as number[], offset: base + begin! });
    }
    return tensors;
  }
}

function isCounts(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((v) => Number.isInteger(v) && v >= 0);
}

/**
 * Little-endian F32 / F16 / BF16 bytes → float32 values. Typed-array views read host byte
 * order, little-endian on every platform Node ships for; the copy aligns the bytes.
 */
function decode(dtype: TensorDtype, bytes: Buffer, out: Float32Array): void {
  const n = out.length;
  const aligned = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  if (dtype === 'F32') {
    out.set(new Float32Array(aligned, 0, n));
    return;
  }
  const half = new Uint16Array(aligned, 0, n);
  if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32.
    const words = new Uint32Array(n);
    for (let i = 0; i < n; i++) words[i] = half[i]! << 16;
    out.set(new Float32Array(words.buffer));
    return;
  }
  for (let i = 0; i < n; i++) out[i] = halfToFloat(half[i]!);
}

/** IEEE 754 binary16 → number (normals, subnormals, ±0, ±∞, NaN). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
