import { type AttentionBatch, OpsError } from './types.ts';

/**
 * Launch plans of the cuda backend's kernels, computed on the host from shapes alone (pure
 * functions, tested without a GPU). The kernels read the int layouts described here.
 */

/** K step of the BF16 GEMM (cuda/src/gemm_bf16.cu BK). */
export const GEMM_BK = 32;

/** CTA tiles of the BF16 GEMM, by GemmTile code (cuda/src/launch.h). All are 128 columns wide. */
export const GEMM_TILES = [
  { code: 0, name: 'M16', rows: 16, cols: 128 },
  { code: 1, name: 'M64', rows: 64, cols: 128 },
  { code: 2, name: 'M128', rows: 128, cols: 128 },
] as const;

/** K tiles a split must keep at least, so the partial sums' traffic stays small. */
const MIN_K_TILES_PER_SPLIT = 4;

export interface GemmPlan {
  /** GemmTile code (0 M16, 1 M64, 2 M128). */
  readonly tile: 0 | 1 | 2;
  readonly splits: number;
  readonly kTilesPerSplit: number;
  /** FP32 partials [splits, M, N] when splits > 1, else 0. */
  readonly workspaceBytes: number;
  /** CTAs of the main kernel. */
  readonly ctas: number;
}

/**
 * Tile by M: 16 rows for decode-sized M (the kernel streams the weights), 64, else 128. When the
 * output tiles cannot fill the GPU (two resident CTAs per SM for the small tiles, one wave of
 * the 128×128 ones), K is split so every SM gets work; each split keeps ≥ 4 K tiles.
 */
export function planGemm(M: number, N: number, K: number, sms: number): GemmPlan {
  if (K % 8 !== 0 || N % 8 !== 0) {
    throw new OpsError(`matmul: the bf16 tensor-core GEMM needs K and N to be multiples of 8, got [${M}, ${K}] · [${K}, ${N}]`);
  }
  const t = M <= 16 ? GEMM_TILES[0] : M <= 64 ? GEMM_TILES[1] : GEMM_TILES[2];
  const tiles = Math.ceil(M / t.rows) * Math.ceil(N / t.cols);
  const kTiles = Math.max(1, Math.ceil(K / GEMM_BK));
  const target = t.code === 2 ? sms : 2 * sms;
  let splits = tiles >= target ? 1 : Math.min(Math.ceil(target / tiles), Math.floor(kTiles / MIN_K_TILES_PER_SPLIT));
  splits = Math.max(1, splits);
  const kTilesPerSplit = Math.ceil(kTiles / splits);
  splits = Math.ceil(kTiles / kTilesPerSplit); // no empty split
  return { tile: t.code, splits, kTilesPerSplit, workspaceBytes: splits > 1 ? splits * M * N * 4 : 0, ctas: tiles * splits };
}

/** Head dims the attention kernel is instantiated for. */
export const ATTENTION_HEAD_DIMS: readonly number[] = [16, 32, 64, 128];
/** Context positions one CTA covers per step (4 warps × 32). */
const ATTENTION_STEP = 128;
/** Shortest context range worth a split of its own. */
const MIN_SPLIT_CONTEXT = 256;

/**
 * The work list of one attention call (cuda/src/attention.cu):
 *   items    [n, 9]  seq, kvHead, q0, nq, h0, nh, c0, c1, partial (-1: write out directly)
 *   seqs     [S, 4]  rowStart, queryLen, contextLen, offset of its table in `tables`
 *   tables           the block tables, concatenated
 *   combine  [c, 8]  seq, kvHead, q0, nq, h0, nh, first partial, partial count
 * An item is the nq·nh ≤ rows query rows of nq consecutive queries (from q0) × nh heads (from
 * h0 within the group of KV head kvHead), over context positions [c0, c1).
 */
export interface AttentionPlan {
  /** Query rows per item, 8 (decode-only batches with ≤ 8 query heads per KV head) or 16. */
  readonly rows: 8 | 16;
  readonly items: Int32Array;
  readonly seqs: Int32Array;
  readonly tables: Int32Array;
  readonly combine: Int32Array;
  readonly partials: number;
}

/**
 * Splits one attention call into CTAs. With fewer items than 4 per SM (decode of few, long
 * sequences) each item's context is cut into ranges of ≥ 256 positions (multiples of 128) so
 * the GPU fills; their partial results are merged by the combine step, in range order.
 * Validates the batch against q's rows and the cache's block count.
 */
export function planAttention(b: AttentionBatch, o: { rows: number; blocks: number; sms: number }): AttentionPlan {
  validateAttention(b, o.rows, o.blocks);
  const G = b.qHeads / b.kvHeads;
  const decodeOnly = b.seqs.every((s) => s.queryLen === 1);
  const rows: 8 | 16 = decodeOnly && G <= 8 ? 8 : 16;
  const nh = Math.min(G, rows);
  const nq = Math.max(1, Math.floor(rows / nh));

  type Base = { seq: number; kvh: number; q0: number; nq: number; h0: number; nh: number; end: number };
  const base: Base[] = [];
  b.seqs.forEach((s, seq) => {
    for (let kvh = 0; kvh < b.kvHeads; kvh++) {
      for (let h0 = 0; h0 < G; h0 += nh) {
        for (let q0 = 0; q0 < s.queryLen; q0 += nq) {
          const n = Math.min(nq, s.queryLen - q0);
          base.push({ seq, kvh, q0, nq: n, h0, nh: Math.min(nh, G - h0), end: s.contextLen - s.queryLen + q0 + n });
        }
      }
    }
  });

  const target = 4 * o.sms;
  const factor = base.length >= target ? 1 : Math.ceil(target / Math.max(1, base.length));
  const items: number[] = [];
  const combine: number[] = [];
  let partials = 0;
  for (const w of base) {
    const chunks = Math.max(1, Math.min(factor, Math.floor(w.end / MIN_SPLIT_CONTEXT)));
    const len = Math.ceil(Math.ceil(w.end / chunks) / ATTENTION_STEP) * ATTENTION_STEP;
    const count = Math.ceil(w.end / len);
    const head = [w.seq, w.kvh, w.q0, w.nq, w.h0, w.nh];
    if (count === 1) {
      items.push(...head, 0, w.end, -1);
      continue;
    }
    combine.push(...head, partials, count);
    for (let j = 0; j < count; j++) items.push(...head, j * len, Math.min(w.end, (j + 1) * len), partials++);
  }

  const seqs: number[] = [];
  const tables: number[] = [];
  for (const s of b.seqs) {
    const used = Math.ceil(s.contextLen / b.blockSize);
    seqs.push(s.rowStart, s.queryLen, s.contextLen, tables.length);
    for (let i = 0; i < used; i++) tables.push(s.blockTable[i]!);
  }
  return { rows, items: Int32Array.from(items), seqs: Int32Array.from(seqs), tables: Int32Array.from(tables), combine: Int32Array.from(combine), partials };
}

function validateAttention(b: AttentionBatch, qRows: number, blocks: number): void {
  if (b.kvHeads < 1 || b.qHeads % b.kvHeads !== 0) {
    throw new OpsError(`attention: ${b.qHeads} query heads are not a multiple of ${b.kvHeads} KV heads`);
  }
  if (!ATTENTION_HEAD_DIMS.includes(b.headDim)) {
    throw new OpsError(`attention: head dim ${b.headDim} is not supported by the cuda kernel (${ATTENTION_HEAD_DIMS.join(', ')})`);
  }
  b.seqs.forEach((s, i) => {
    const where = `attention: sequence ${i}`;
    if (s.queryLen < 1 || s.contextLen < s.queryLen) throw new OpsError(`${where}: queryLen ${s.queryLen} must be in [1, contextLen ${s.contextLen}]`);
    if (s.rowStart < 0 || s.rowStart + s.queryLen > qRows) throw new OpsError(`${where}: rows [${s.rowStart}, ${s.rowStart + s.queryLen}) exceed q's ${qRows} rows`);
    const used = Math.ceil(s.contextLen / b.blockSize);
    if (s.blockTable.length < used) throw new OpsError(`${where}: ${s.contextLen} positions need ${used} blocks, the table has ${s.blockTable.length}`);
    for (let k = 0; k < used; k++) {
      const block = s.blockTable[k]!;
      if (block < 0 || block >= blocks) throw new OpsError(`${where}: block ${block} is outside the cache (${blocks} blocks)`);
    }
  });
}
