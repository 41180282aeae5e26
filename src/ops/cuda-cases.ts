import { ropeInverseFrequencies } from '../model/rope.ts';
import type { CudaContext, CudaDeviceInfo, DeviceBuffer } from './cuda-addon.ts';
import { planAttention, planGemm } from './cuda-plan.ts';
import { type TorchCase, copiesFor, intBuffer, randomBuffer } from './cuda-timing.ts';
import type { AttentionSeq } from './types.ts';

/**
 * The kernels of one GPU of Llama-3.3-70B at TP = 8, in bf16, as benchmark cases: each knows
 * its FLOPs, its fewest HBM bytes (inputs read once, outputs written once), the same shape for
 * PyTorch (cuda/torch_reference.py), and how to run our kernel through the addon directly (no
 * per-call uploads, so the time is the kernel's).
 *
 *   hidden 8192, 64 q / 8 KV heads, head dim 128, MLP 28672, vocab 128256; per GPU at TP8:
 *   8 q heads and 1 KV head → QKV 8192 × 1280, O 1024 × 8192, gate|up 8192 × 7168,
 *   down 3584 × 8192, LM head 8192 × 16032
 */
export const LLAMA70B_TP8 = {
  hidden: 8192,
  qHeads: 8,
  kvHeads: 1,
  headDim: 128,
  mlpShard: 28672 / 8,
  vocabShard: 128256 / 8,
} as const;

const S = LLAMA70B_TP8;
const QKV = (S.qHeads + 2 * S.kvHeads) * S.headDim;

/** The linear layers of one GPU: [K, N] of x · W. */
export const GEMM_SHAPES = [
  { layer: 'qkv', K: S.hidden, N: QKV },
  { layer: 'o', K: S.qHeads * S.headDim, N: S.hidden },
  { layer: 'gate_up', K: S.hidden, N: 2 * S.mlpShard },
  { layer: 'down', K: S.mlpShard, N: S.hidden },
  { layer: 'lm_head', K: S.hidden, N: S.vocabShard },
] as const;

export type CaseGroup = 'gemm' | 'memory' | 'attention-decode' | 'attention-prefill';

export interface Prepared {
  run(i: number): void;
  free(): void;
}

export interface KernelCase {
  readonly name: string;
  readonly group: CaseGroup;
  readonly flops: number;
  readonly bytes: number;
  readonly torch: TorchCase;
  prepare(ctx: CudaContext, info: CudaDeviceInfo): Prepared;
}

const BF16 = 2;
const DTYPE_BF16 = 1;

function freeAll(bufs: readonly (DeviceBuffer | null)[]): void {
  for (const b of bufs) b?.free();
}

function rotating(ctx: CudaContext, copies: number, bytes: readonly number[], seed: number): DeviceBuffer[][] {
  return Array.from({ length: copies }, (_, c) => bytes.map((b, k) => randomBuffer(ctx, b, seed + 31 * c + k)));
}

/** x [M, K] · W [K, N] for each layer and M. */
export function gemmCases(ms: readonly number[], l2Bytes: number): KernelCase[] {
  return ms.flatMap((M) =>
    GEMM_SHAPES.map(({ layer, K, N }): KernelCase => {
      const inputs = [M * K * BF16, K * N * BF16];
      const copies = copiesFor(inputs[0]! + inputs[1]!, l2Bytes);
      const name = `gemm ${layer} M=${M}`;
      return {
        name,
        group: 'gemm',
        flops: 2 * M * N * K,
        bytes: inputs[0]! + inputs[1]! + M * N * BF16,
        torch: { name, op: 'gemm', copies, M, N, K },
        prepare(ctx, info) {
          const plan = planGemm(M, N, K, info.sms);
          const sets = rotating(ctx, copies, inputs, M + K);
          const out = ctx.alloc(M * N * BF16);
          const workspace = plan.splits > 1 ? ctx.alloc(plan.workspaceBytes) : null;
          return {
            run: (i) => {
              const [x, w] = sets[i % copies]!;
              ctx.gemmBf16(out, x!, w!, M, N, K, plan.tile, plan.splits, plan.kTilesPerSplit, workspace);
            },
            free: () => freeAll([...sets.flat(), out, workspace]),
          };
        },
      };
    }),
  );
}

interface MemorySpec {
  readonly name: string;
  /** Bytes of each random input, rotated among copies. */
  readonly inputs: readonly number[];
  /** Bytes of the output buffer. */
  readonly out: number;
  /** Bytes the kernel must move at least (default: inputs + out). */
  readonly moved?: number;
  readonly torch: { readonly op: string; readonly [field: string]: string | number };
  /** Buffers made once (gains, indices, caches). */
  readonly fixed?: (ctx: CudaContext) => DeviceBuffer[];
  readonly launch: (ctx: CudaContext, inputs: readonly DeviceBuffer[], fixed: readonly DeviceBuffer[], out: DeviceBuffer) => void;
}

function memoryCase(spec: MemorySpec, l2Bytes: number): KernelCase {
  const inputBytes = spec.inputs.reduce((a, b) => a + b, 0);
  const copies = spec.inputs.length === 0 ? 1 : copiesFor(inputBytes, l2Bytes);
  return {
    name: spec.name,
    group: 'memory',
    flops: 0,
    bytes: spec.moved ?? inputBytes + spec.out,
    torch: { name: spec.name, copies, ...spec.torch },
    prepare(ctx) {
      const fixed = spec.fixed?.(ctx) ?? [];
      const sets = rotating(ctx, copies, spec.inputs, spec.inputs.length + spec.out);
      const out = ctx.alloc(spec.out);
      return { run: (i) => spec.launch(ctx, sets[i % copies]!, fixed, out), free: () => freeAll([...sets.flat(), ...fixed, out]) };
    },
  };
}

/** The elementwise, layout and sampling kernels on M tokens (a prefill-sized batch). */
export function memoryCases(M: number, l2Bytes: number): KernelCase[] {
  const H = S.hidden;
  const F = S.mlpShard;
  const V = S.vocabShard;
  const q = S.qHeads * S.headDim;
  const kvw = S.kvHeads * S.headDim;
  const slots = 4 * M;
  const ints = (ctx: CudaContext, n: number, f: (i: number) => number): DeviceBuffer => intBuffer(ctx, Int32Array.from({ length: n }, (_, i) => f(i)));
  // Ulysses at SP = 8, TP = 1: the local QKV of all 80 heads [m, 80·128] for m = M/8 tokens.
  const sp = 8;
  const m = M / sp;
  const qkvAll = (64 + 2 * 8) * S.headDim;
  const specs: MemorySpec[] = [
    {
      name: `rms_norm [${M}, ${H}]`, inputs: [M * H * BF16], out: M * H * BF16, torch: { op: 'rms_norm', M, H },
      fixed: (ctx) => {
        const g = ctx.alloc(H * 4);
        ctx.upload(g, 0, new Float32Array(H).fill(1));
        return [g];
      },
      launch: (ctx, [x], [g], out) => ctx.rmsNorm(DTYPE_BF16, out, x!, g!, M, H, H, 1e-5),
    },
    {
      name: `add [${M}, ${H}]`, inputs: [M * H * BF16, M * H * BF16], out: M * H * BF16, torch: { op: 'add', M, H },
      launch: (ctx, [a, b], _, out) => ctx.add(DTYPE_BF16, out, a!, b!, M * H),
    },
    {
      name: `silu_mul [${M}, 2·${F}]`, inputs: [M * 2 * F * BF16], out: M * F * BF16, torch: { op: 'silu_mul', M, F },
      launch: (ctx, [x], _, out) => ctx.siluMul(DTYPE_BF16, out, x!, M, F),
    },
    {
      name: `rope q [${M}, ${q}]`, inputs: [M * q * BF16], out: M * q * BF16, torch: { op: 'rope', M, heads: S.qHeads, d: S.headDim },
      fixed: (ctx) => {
        const invFreq = ropeInverseFrequencies({ headDim: S.headDim, ropeTheta: 500000 });
        const inv = ctx.alloc(invFreq.byteLength);
        ctx.upload(inv, 0, invFreq);
        return [ints(ctx, M, (i) => i), inv];
      },
      launch: (ctx, [x], [pos, inv], out) => ctx.rope(DTYPE_BF16, out, x!, pos!, inv!, M, q, S.headDim),
    },
    {
      name: `embedding [${M}] from [${V}, ${H}]`, inputs: [], out: M * H * BF16, moved: 2 * M * H * BF16, torch: { op: 'embedding', V, H, M },
      fixed: (ctx) => [randomBuffer(ctx, V * H * BF16, 7), ints(ctx, M, (i) => (i * 7919) % V)],
      launch: (ctx, _, [table, ids], out) => ctx.gatherRows(BF16, out, table!, ids!, M, H, V),
    },
    {
      name: `write_kv k, v [${M}, ${kvw}]`, inputs: [M * kvw * BF16, M * kvw * BF16], out: 0, moved: 4 * M * kvw * BF16, torch: { op: 'write_kv', M, width: kvw, slots },
      fixed: (ctx) => [ctx.alloc(slots * kvw * BF16), ctx.alloc(slots * kvw * BF16), ints(ctx, M, (i) => (i * 4 + 1) % slots)],
      launch: (ctx, [k, v], [kc, vc, sl]) => ctx.writeKv(BF16, kc!, vc!, 0, slots, k!, v!, sl!, M, kvw),
    },
    {
      name: `ulysses pack select_cols [${m}, ${qkvAll}]`, inputs: [m * qkvAll * BF16], out: m * qkvAll * BF16, torch: { op: 'select_cols', M: m, C: qkvAll },
      // Whole heads of 128 columns, reordered (head h goes to 7h mod 80), as the pack does.
      fixed: (ctx) => [ints(ctx, qkvAll, (i) => ((Math.floor(i / S.headDim) * 7) % 80) * S.headDim + (i % S.headDim))],
      launch: (ctx, [x], [cols], out) => ctx.selectCols(BF16, out, x!, cols!, m, qkvAll, qkvAll),
    },
    {
      name: `ulysses colBlocksToRows [${m}, ${sp}·${qkvAll / sp}]`, inputs: [m * qkvAll * BF16], out: m * qkvAll * BF16, torch: { op: 'swap_blocks', a: m, b: sp, w: qkvAll / sp },
      launch: (ctx, [x], _, out) => ctx.swapBlocks(BF16, out, x!, m, sp, qkvAll / sp),
    },
    {
      name: `ulysses rowBlocksToCols [${sp}·${m}, ${q}]`, inputs: [M * q * BF16], out: M * q * BF16, torch: { op: 'swap_blocks', a: sp, b: m, w: q },
      launch: (ctx, [x], _, out) => ctx.swapBlocks(BF16, out, x!, sp, m, q),
    },
    {
      name: `argmax [256, ${V}]`, inputs: [256 * V * BF16], out: 256 * 4, torch: { op: 'argmax', M: 256, V },
      launch: (ctx, [x], _, out) => ctx.argmax(DTYPE_BF16, out, x!, 256, V),
    },
  ];
  return specs.map((spec) => memoryCase(spec, l2Bytes));
}

/** Decode (one query per sequence) over `batch` sequences of `context` tokens each. */
export function decodeAttentionCase(batch: number, context: number, l2Bytes: number): KernelCase {
  const name = `attention decode B=${batch} ctx=${context}`;
  const kvBytes = 2 * batch * context * S.kvHeads * S.headDim * BF16;
  const copies = copiesFor(kvBytes, l2Bytes);
  return {
    name,
    group: 'attention-decode',
    flops: 4 * batch * context * S.qHeads * S.headDim,
    bytes: kvBytes + 2 * batch * S.qHeads * S.headDim * BF16,
    torch: { name, op: 'attention_decode', copies, batch, context, qHeads: S.qHeads, kvHeads: S.kvHeads, d: S.headDim },
    prepare: (ctx, info) => attentionRunner(ctx, info, copies, Array.from({ length: batch }, () => [1, context] as const)),
  };
}

/** Causal prefill of one sequence of `context` tokens (FLOPs: 2·h·d·L² for the causal half). */
export function prefillAttentionCase(context: number): KernelCase {
  const name = `attention prefill L=${context}`;
  return {
    name,
    group: 'attention-prefill',
    flops: 2 * S.qHeads * S.headDim * context * (context + 1),
    bytes: 2 * context * S.kvHeads * S.headDim * BF16 + 2 * context * S.qHeads * S.headDim * BF16,
    torch: { name, op: 'attention_prefill', copies: 1, context, qHeads: S.qHeads, kvHeads: S.kvHeads, d: S.headDim },
    prepare: (ctx, info) => attentionRunner(ctx, info, 1, [[context, context]]),
  };
}

/** Caches (`copies` of them) holding every sequence's context, and a launch of the planned kernel. */
function attentionRunner(ctx: CudaContext, info: CudaDeviceInfo, copies: number, seqLens: readonly (readonly [number, number])[]): Prepared {
  const blockSize = 16;
  let row = 0;
  let block = 0;
  const seqs: AttentionSeq[] = seqLens.map(([queryLen, contextLen]) => {
    const n = Math.ceil(contextLen / blockSize);
    const s = { rowStart: row, queryLen, contextLen, blockTable: Int32Array.from({ length: n }, () => block++) };
    row += queryLen;
    return s;
  });
  const slots = block * blockSize;
  const width = S.kvHeads * S.headDim;
  const qWidth = S.qHeads * S.headDim;
  const b = { seqs, blockSize, qHeads: S.qHeads, kvHeads: S.kvHeads, headDim: S.headDim, scale: 1 / Math.sqrt(S.headDim) };
  const plan = planAttention(b, { rows: row, blocks: block, sms: info.sms });
  const caches = rotating(ctx, copies, [slots * width * BF16, slots * width * BF16], 11);
  const q = randomBuffer(ctx, row * qWidth * BF16, 5);
  const out = ctx.alloc(row * qWidth * BF16);
  const meta = [plan.items, plan.seqs, plan.tables, plan.combine].map((a) => intBuffer(ctx, a));
  const partials = plan.partials > 0 ? ctx.alloc(plan.partials * plan.rows * (S.headDim + 2) * 4) : null;
  return {
    run: (i) => {
      const [k, v] = caches[i % copies]!;
      ctx.attention(
        DTYPE_BF16, out, q, k!, v!, 0, slots, meta[0]!, plan.items.length / 9, meta[1]!, seqs.length, meta[2]!, plan.tables.length,
        plan.combine.length > 0 ? meta[3]! : null, plan.combine.length / 8, partials, plan.partials,
        row, S.qHeads, S.kvHeads, S.headDim, blockSize, plan.rows, b.scale,
      );
    },
    free: () => freeAll([...caches.flat(), q, out, ...meta, partials]),
  };
}
