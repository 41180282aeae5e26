import type * as tf from '@tensorflow/tfjs';
import * as assert from 'uvu/assert';
import { argmax as firstMax } from '../src/exec/generate.ts';
import { ropeInverseFrequencies } from '../src/model/rope.ts';
import { roundToBf16 } from '../src/ops/cuda-bf16.ts';
import { type CudaDtype, type CudaOps, createCudaOps } from '../src/ops/cuda.ts';
import { type TfjsKvCache, createTfjsOps } from '../src/ops/tfjs.ts';
import type { AttentionSeq, KvCacheSpec, Ops } from '../src/ops/types.ts';
import { Rng } from '../src/util/rng.ts';
import { gpuSuite } from './helpers/gpu.ts';

/**
 * Every cuda kernel against the CPU backend (src/ops/tfjs.ts, whose semantics are the spec), in
 * both modes: float32 (relative error ‖got − ref‖ / ‖ref‖ ≤ 1e-5) and bf16 (≤ 1e-2; the
 * reference gets the same bf16-rounded inputs). Data movement must match exactly. Inputs are
 * fresh seeded normals per test (SHIFTLAB_GPU_SEED varies them); the cuda ops run in poison
 * mode (each new tensor NaN-filled first), and no output may hold a NaN.
 */
type Tf = Ops<tf.Tensor, TfjsKvCache>;
type Mode = { readonly dtype: CudaDtype; readonly tol: number; ops: CudaOps };

const SEED = process.env.SHIFTLAB_GPU_SEED ?? '1';
const state: { tf?: Tf; modes: Mode[] } = { modes: [] };
const kernels = gpuSuite('cuda kernels vs tfjs');

kernels.before(async () => {
  state.tf = await createTfjsOps();
  state.modes = [
    { dtype: 'float32', tol: 1e-5, ops: createCudaOps({ dtype: 'float32', poison: true }) },
    { dtype: 'bf16', tol: 1e-2, ops: createCudaOps({ dtype: 'bf16', poison: true }) },
  ];
});

/** Registers `title` once per mode; `body` gets the mode, the CPU ops, a fresh rng and q(). */
function both(title: string, body: (m: Mode, ref: Tf, rng: Rng, q: (x: Float32Array) => Float32Array) => void): void {
  for (const dtype of ['float32', 'bf16'] as const) {
    kernels(`${title} (${dtype})`, () => {
      const m = state.modes.find((x) => x.dtype === dtype)!;
      const q = (x: Float32Array): Float32Array => (dtype === 'bf16' ? roundToBf16(x) : x);
      body(m, state.tf!, new Rng(`${SEED}:${title}:${dtype}`), q);
    });
  }
}

function normal(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

function ints(rng: Rng, n: number, lo: number, hi: number): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(lo, hi));
}

/** No NaN, same length, and ‖got − ref‖ / ‖ref‖ ≤ tol (tol 0: bit-equal values). */
function close(label: string, got: Float32Array, ref: Float32Array, tol: number): void {
  assert.is(got.length, ref.length, `${label}: ${got.length} values, expected ${ref.length}`);
  const nan = got.findIndex((v) => Number.isNaN(v));
  assert.ok(nan < 0, `${label}: NaN at element ${nan} (unwritten output?)`);
  let diff = 0;
  let norm = 0;
  ref.forEach((r, i) => {
    diff += (got[i]! - r) ** 2;
    norm += r * r;
  });
  const rel = Math.sqrt(diff / Math.max(norm, 1e-30));
  if (tol === 0) {
    const at = got.findIndex((v, i) => v !== ref[i]);
    assert.ok(at < 0, `${label}: element ${at} is ${got[at]}, expected ${ref[at]}`);
  } else {
    assert.ok(rel <= tol, `${label}: relative error ${rel.toExponential(2)} > ${tol} (seed ${SEED})`);
  }
}

/** Runs f on both backends (each in a scope) and compares the downloads. */
function compare(
  label: string,
  m: Mode,
  ref: Tf,
  f: <T, C>(ops: Ops<T, C>, input: (data: Float32Array, shape: number[]) => T) => T,
  exact = false,
): void {
  const got = m.ops.scope(() => m.ops.download(f(m.ops, (d, s) => m.ops.upload(d, s))));
  const want = ref.scope(() => ref.download(f(ref, (d, s) => ref.upload(m.dtype === 'bf16' ? roundToBf16(d) : d, s))));
  close(label, got, want, exact ? 0 : m.tol);
}

// --- Elementwise and normalisation --------------------------------------------------------------

both('embedding gathers rows [V 1000, H 256] for 50 ids', (m, ref, rng) => {
  const table = normal(rng, 1000 * 256);
  const ids = ints(rng, 50, 0, 1000);
  compare('embedding', m, ref, (ops, input) => ops.embedding(input(table, [1000, 256]), ids), true);
});

for (const [N, C, group] of [[37, 8192, 8192], [29, 1024, 128], [5, 96, 96]] as const) {
  both(`rmsNorm [${N}, ${C}] in groups of ${group}`, (m, ref, rng) => {
    const x = normal(rng, N * C);
    const gain = Float32Array.from({ length: group }, () => 1 + 0.1 * rng.normal());
    const got = m.ops.scope(() => m.ops.download(m.ops.rmsNorm(m.ops.upload(x, [N, C]), m.ops.weight([group], () => gain), 1e-5)));
    const want = ref.scope(() => ref.download(ref.rmsNorm(ref.upload(m.dtype === 'bf16' ? roundToBf16(x) : x, [N, C]), ref.upload(gain, [group]), 1e-5)));
    close('rmsNorm', got, want, m.tol);
  });
}

// [M, K] · [K, N]: decode (split-K), each tile shape, a K tail, odd M.
for (const [M, K, N] of [[1, 4096, 256], [7, 40, 72], [16, 1024, 1280], [37, 512, 768], [64, 256, 136], [200, 1024, 384], [300, 2048, 1024]] as const) {
  both(`matmul [${M}, ${K}] · [${K}, ${N}]`, (m, ref, rng, q) => {
    const x = normal(rng, M * K);
    const w = normal(rng, K * N, 1 / Math.sqrt(K));
    const got = m.ops.scope(() => m.ops.download(m.ops.matmul(m.ops.upload(x, [M, K]), m.ops.weight([K, N], () => w))));
    const want = ref.scope(() => ref.download(ref.matmul(ref.upload(q(x), [M, K]), ref.upload(q(w), [K, N]))));
    close('matmul', got, want, m.tol);
  });
}

for (const [N, C] of [[33, 1001], [64, 4096]] as const) {
  both(`add [${N}, ${C}]`, (m, ref, rng) => {
    const a = normal(rng, N * C);
    const b = normal(rng, N * C);
    compare('add', m, ref, (ops, input) => ops.add(input(a, [N, C]), input(b, [N, C])));
  });
}

for (const [N, F] of [[45, 1376], [7, 13]] as const) {
  both(`siluMul [${N}, 2·${F}]`, (m, ref, rng) => {
    const x = normal(rng, N * 2 * F, 2);
    compare('siluMul', m, ref, (ops, input) => ops.siluMul(input(x, [N, 2 * F])));
  });
}

// Llama 3's scaled frequencies (the Llama-3.3-70B table) at long positions, and plain ones.
const LLAMA3 = { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } as const;
for (const [N, heads, d, theta, maxPos, scaled] of [[40, 8, 128, 500000, 131072, true], [40, 8, 128, 500000, 8192, false], [9, 4, 16, 10000, 300, false]] as const) {
  both(`rope [${N}, ${heads}·${d}] at positions < ${maxPos}${scaled ? ', Llama 3 scaling' : ''}`, (m, ref, rng) => {
    const x = normal(rng, N * heads * d);
    const pos = ints(rng, N, 0, maxPos);
    const invFreq = ropeInverseFrequencies({ headDim: d, ropeTheta: theta, ...(scaled ? { ropeScaling: LLAMA3 } : {}) });
    compare('rope', m, ref, (ops, input) => ops.rope(input(x, [N, heads * d]), pos, invFreq));
  });
}

both('argmax [6, 1000] with ties: the first maximum wins', (m, _ref, rng, q) => {
  const x = q(normal(rng, 6 * 1000));
  x.fill(3, 1000, 2000); // row 1: all equal → 0
  x[2 * 1000 + 10] = x[2 * 1000 + 500] = 9; // row 2: tie → 10
  const got = m.ops.scope(() => m.ops.argmax(m.ops.upload(x, [6, 1000])));
  const want = Array.from({ length: 6 }, (_, r) => firstMax(x.subarray(r * 1000, (r + 1) * 1000)));
  assert.equal([...got], want);
});

// --- Layout (exact) ------------------------------------------------------------------------------

both('sliceRows, selectRows, padRows, concatRows', (m, ref, rng) => {
  const x = normal(rng, 23 * 40);
  const y = normal(rng, 5 * 40);
  const rows = ints(rng, 11, 0, 23);
  compare('sliceRows', m, ref, (ops, input) => ops.sliceRows(input(x, [23, 40]), 4, 13), true);
  compare('selectRows', m, ref, (ops, input) => ops.selectRows(input(x, [23, 40]), rows), true);
  compare('padRows', m, ref, (ops, input) => ops.padRows(input(y, [5, 40]), 12), true);
  compare('concatRows', m, ref, (ops, input) => ops.concatRows([input(x, [23, 40]), input(y, [5, 40]), input(x, [23, 40])]), true);
});

both('sliceCols, selectColumns (repeats), colBlocksToRows, rowBlocksToCols', (m, ref, rng) => {
  const x = normal(rng, 13 * 96);
  const cols = ints(rng, 70, 0, 96);
  compare('sliceCols', m, ref, (ops, input) => ops.sliceCols(input(x, [13, 96]), 17, 50), true);
  compare('selectColumns', m, ref, (ops, input) => ops.selectColumns(input(x, [13, 96]), cols), true);
  for (const s of [2, 4, 3]) {
    compare(`colBlocksToRows ${s}`, m, ref, (ops, input) => ops.colBlocksToRows(input(x, [13, 96]), s), true);
    const r = normal(rng, s * 7 * 24);
    compare(`rowBlocksToCols ${s}`, m, ref, (ops, input) => ops.rowBlocksToCols(input(r, [s * 7, 24]), s), true);
  }
});

// --- KV cache and attention ----------------------------------------------------------------------

both('writeKv skips slot -1; readKv returns every layer of K then V', (m, ref, rng, q) => {
  const spec: KvCacheSpec = { layers: 2, blocks: 8, blockSize: 16, kvHeads: 2, headDim: 16 };
  const width = spec.kvHeads * spec.headDim;
  const slots = Int32Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? -1 : i * 4 + 1));
  const data = Array.from({ length: 2 * spec.layers }, () => q(normal(rng, 30 * width)));
  const run = <T, C>(ops: Ops<T, C>): Float32Array => {
    const cache = ops.createKvCache(spec);
    ops.scope(() => {
      for (let l = 0; l < spec.layers; l++) ops.writeKv(cache, l, ops.upload(data[2 * l]!, [30, width]), ops.upload(data[2 * l + 1]!, [30, width]), slots);
    });
    return ops.readKv(cache);
  };
  close('readKv', run(m.ops), run(ref), 0);
});

interface AttentionCase {
  readonly title: string;
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** [queryLen, contextLen] per sequence. */
  readonly seqs: readonly (readonly [number, number])[];
}

const ATTENTION: readonly AttentionCase[] = [
  { title: 'prefill chunks and decodes, GQA 8/2, d 16', qHeads: 8, kvHeads: 2, headDim: 16, seqs: [[20, 50], [1, 300], [37, 37], [1, 1]] },
  { title: 'Llama-70B TP8 heads (8/1, d 128), mixed', qHeads: 8, kvHeads: 1, headDim: 128, seqs: [[64, 64], [1, 777], [16, 200]] },
  { title: 'decode of long contexts (context split + combine), 8/1, d 128', qHeads: 8, kvHeads: 1, headDim: 128, seqs: [[1, 3000], [1, 1500]] },
  { title: '16 query heads per KV head, d 64', qHeads: 16, kvHeads: 1, headDim: 64, seqs: [[9, 40], [1, 600]] },
  { title: 'MHA 4/4, d 32', qHeads: 4, kvHeads: 4, headDim: 32, seqs: [[5, 5], [1, 90]] },
];

for (const c of ATTENTION) {
  both(`attention: ${c.title}`, (m, ref, rng, q) => {
    const blockSize = 16;
    const used = c.seqs.map(([, ctx]) => Math.ceil(ctx / blockSize));
    const blocks = used.reduce((a, b) => a + b, 0) + 3;
    // Each sequence gets a shuffled set of blocks, so pages are not contiguous.
    const order = Array.from({ length: blocks }, (_, i) => i);
    for (let i = blocks - 1; i > 0; i--) {
      const j = rng.int(0, i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let next = 0;
    const tables = used.map((n) => Int32Array.from(order.slice(next, (next += n))));
    const spec: KvCacheSpec = { layers: 2, blocks, blockSize, kvHeads: c.kvHeads, headDim: c.headDim };
    const kvWidth = c.kvHeads * c.headDim;
    const totalCtx = c.seqs.reduce((a, [, ctx]) => a + ctx, 0);
    const k = q(normal(rng, totalCtx * kvWidth));
    const v = q(normal(rng, totalCtx * kvWidth));
    const allSlots = Int32Array.from(c.seqs.flatMap(([, ctx], s) => Array.from({ length: ctx }, (_, p) => tables[s]![Math.floor(p / blockSize)]! * blockSize + (p % blockSize))));
    let row = 0;
    const seqs: AttentionSeq[] = c.seqs.map(([queryLen, contextLen], s) => {
      const seq = { rowStart: row, queryLen, contextLen, blockTable: tables[s]! };
      row += queryLen;
      return seq;
    });
    const qx = q(normal(rng, row * c.qHeads * c.headDim));
    const batch = { seqs, blockSize, qHeads: c.qHeads, kvHeads: c.kvHeads, headDim: c.headDim, scale: 1 / Math.sqrt(c.headDim) };
    const run = <T, C>(ops: Ops<T, C>): Float32Array => {
      const cache = ops.createKvCache(spec);
      return ops.scope(() => {
        ops.writeKv(cache, 1, ops.upload(k, [totalCtx, kvWidth]), ops.upload(v, [totalCtx, kvWidth]), allSlots);
        return ops.download(ops.attention(ops.upload(qx, [row, c.qHeads * c.headDim]), cache, 1, batch));
      });
    };
    close('attention', run(m.ops), run(ref), m.tol);
  });
}

kernels.run();
