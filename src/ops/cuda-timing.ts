import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CudaContext, DeviceBuffer } from './cuda-addon.ts';
import { toBf16 } from './cuda-bf16.ts';

/**
 * Measuring on a GPU, for `yarn bench cuda` and `yarn calibrate` (see shared METHOD.md): device
 * events around many calls, after warm-up, median of 5 repeats; inputs rotated among copies so
 * repeated calls do not run from L2; random data, never zeros; ceilings measured on the card.
 */

/** Median milliseconds per call of run(i) (i counts calls, for rotating inputs). */
export function medianMs(ctx: CudaContext, run: (i: number) => void): number {
  for (let i = 0; i < 3; i++) run(i);
  ctx.synchronize();
  const probe = (iters: number): number => {
    const start = ctx.record();
    for (let i = 0; i < iters; i++) run(i);
    return start.elapsedMs(ctx.record()) / iters;
  };
  const iters = Math.max(3, Math.min(200, Math.ceil(20 / Math.max(probe(3), 1e-3)))); // ~20 ms per repeat
  const samples = Array.from({ length: 5 }, () => probe(iters)).sort((a, b) => a - b);
  return samples[2]!;
}

/** Device-to-device copy bandwidth, counting bytes read plus bytes written (bytes/s). */
export function copyBandwidth(ctx: CudaContext, bytes = 2 ** 30): number {
  const src = ctx.alloc(bytes);
  const dst = ctx.alloc(bytes);
  try {
    fillRandom(ctx, src, 1);
    const ms = medianMs(ctx, () => ctx.copy(dst, 0, src, 0, bytes));
    return (2 * bytes) / (ms / 1e3);
  } finally {
    src.free();
    dst.free();
  }
}

/** Fills a buffer with random bf16 values in [-1, 1) (a 4 MiB random block, repeated). */
export function fillRandom(ctx: CudaContext, buf: DeviceBuffer, seed: number): void {
  let s = (seed * 2654435761) >>> 0 || 1;
  const block = toBf16(
    Float32Array.from({ length: Math.min(2 ** 21, Math.ceil(buf.bytes / 2)) }, () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 31 - 1;
    }),
  );
  const bytes = new Uint8Array(block.buffer);
  for (let offset = 0; offset < buf.bytes; offset += bytes.length) {
    ctx.upload(buf, offset, bytes.subarray(0, Math.min(bytes.length, buf.bytes - offset)));
  }
}

/** A device buffer of random bf16 (bytes rounded up to whole elements). */
export function randomBuffer(ctx: CudaContext, bytes: number, seed: number): DeviceBuffer {
  const buf = ctx.alloc(bytes);
  fillRandom(ctx, buf, seed);
  return buf;
}

/** An int32 device buffer holding `values`. */
export function intBuffer(ctx: CudaContext, values: Int32Array): DeviceBuffer {
  const buf = ctx.alloc(values.byteLength);
  if (values.length > 0) ctx.upload(buf, 0, values);
  return buf;
}

/** How many input sets to rotate so that they span ≥ 3 L2 sizes (at most 8). */
export function copiesFor(inputBytes: number, l2Bytes: number): number {
  return Math.max(1, Math.min(8, Math.ceil((3 * l2Bytes) / Math.max(inputBytes, 1))));
}

/** One case for cuda/torch_reference.py: its op name, shape fields and input copies. */
export interface TorchCase {
  readonly name: string;
  readonly op: string;
  readonly copies: number;
  readonly [field: string]: string | number;
}

export type TorchRun =
  | { readonly ok: true; readonly torch: string; readonly device: string; readonly results: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly reason: string };

/** Times the cases with PyTorch in a python3 subprocess (ms per call by name), if torch is there. */
export function runTorch(cases: readonly TorchCase[]): TorchRun {
  const script = fileURLToPath(new URL('../../cuda/torch_reference.py', import.meta.url));
  const run = spawnSync(process.env.PYTHON ?? 'python3', [script], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 24, timeout: 900_000 });
  if (run.error) return { ok: false, reason: `python3 did not run: ${run.error.message}` };
  if (run.status !== 0) return { ok: false, reason: (run.stderr || `exit status ${run.status}`).trim().split('\n').at(-1)! };
  if (run.stderr.trim()) process.stderr.write(`torch_reference.py: ${run.stderr}`);
  return { ok: true, ...(JSON.parse(run.stdout) as { torch: string; device: string; results: Record<string, number> }) };
}
