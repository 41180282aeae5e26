import { writeFileSync } from 'node:fs';

/**
 * A minimal GGUF v3 writer (ggml's docs/gguf.md): magic "GGUF", version 3, tensor count and
 * metadata count (u64), the metadata key/value pairs, the tensor infos (name, dims innermost
 * first, type, offset), padding to the alignment (32), then each tensor's data, aligned.
 * Only what the llama.cpp reference test needs: F32 tensors; u32, f32, string and array values.
 */

export type GgufValue =
  | { readonly type: 'u32'; readonly value: number }
  | { readonly type: 'f32'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'strings'; readonly value: readonly string[] }
  | { readonly type: 'f32s'; readonly value: readonly number[] }
  | { readonly type: 'i32s'; readonly value: readonly number[] };

export interface GgufTensor {
  readonly name: string;
  /** ggml order: ne[0] is the innermost (contiguous) dimension, the reverse of a row-major shape. */
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

const ALIGNMENT = 32;
const TYPE = { u32: 4, i32: 5, f32: 6, string: 8, array: 9 } as const;
const GGML_TYPE_F32 = 0;

export function writeGguf(file: string, metadata: ReadonlyMap<string, GgufValue>, tensors: readonly GgufTensor[]): void {
  const w = new ByteWriter();
  w.raw(Buffer.from('GGUF', 'ascii'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(metadata.size);
  for (const [key, v] of metadata) {
    w.string(key);
    value(w, v);
  }
  let offset = 0;
  const offsets = tensors.map((t) => {
    const at = offset;
    offset = align(offset + t.data.byteLength);
    return at;
  });
  tensors.forEach((t, i) => {
    if (t.dims.reduce((a, b) => a * b, 1) !== t.data.length) throw new Error(`gguf: tensor ${t.name} has ${t.data.length} values for dims [${t.dims.join(', ')}]`);
    w.string(t.name);
    w.u32(t.dims.length);
    for (const n of t.dims) w.u64(n);
    w.u32(GGML_TYPE_F32);
    w.u64(offsets[i]!);
  });
  const head = w.bytes();
  const data = Buffer.alloc(offset);
  tensors.forEach((t, i) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).copy(data, offsets[i]!));
  writeFileSync(file, Buffer.concat([head, Buffer.alloc(align(head.length) - head.length), data]));
}

function value(w: ByteWriter, v: GgufValue): void {
  switch (v.type) {
    case 'u32':
      w.u32(TYPE.u32).u32(v.value);
      return;
    case 'f32':
      w.u32(TYPE.f32).f32(v.value);
      return;
    case 'string':
      w.u32(TYPE.string).string(v.value);
      return;
    case 'strings':
      w.u32(TYPE.array).u32(TYPE.string).u64(v.value.length);
      for (const s of v.value) w.string(s);
      return;
    case 'f32s':
      w.u32(TYPE.array).u32(TYPE.f32).u64(v.value.length);
      for (const x of v.value) w.f32(x);
      return;
    case 'i32s':
      w.u32(TYPE.array).u32(TYPE.i32).u64(v.value.length);
      for (const x of v.value) w.i32(x);
      return;
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

class ByteWriter {
  private readonly parts: Buffer[] = [];

  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }

  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return this.raw(b);
  }

  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.raw(b);
  }

  f32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    return this.raw(b);
  }

  u64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    return this.raw(b);
  }

  string(s: string): this {
    const b = Buffer.from(s, 'utf8');
    return this.u64(b.length).raw(b);
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}
