import type { AttentionSeq } from '../ops/types.ts';
import type { Batch } from '../model/batch.ts';

/**
 * A batch flattened for the model: the scheduled tokens of every sequence concatenated
 * (N rows), with their positions, KV slots and the rows whose logits are sampled.
 */
export interface FlatBatch {
  readonly ids: Int32Array; //        [N]
  readonly positions: Int32Array; //  [N]
  readonly slots: Int32Array; //      [N]  block·blockSize + offset
  readonly seqs: readonly AttentionSeq[];
  readonly sampleRows: Int32Array; // [B]  last row of each sampling sequence
  readonly sampleIds: readonly number[]; // [B]
}

export function flatten(batch: Batch, blockSize: number, replica?: number): FlatBatch {
  const seqs = batch.seqs.filter((s) => replica === undefined || s.replica === replica);
  const N = seqs.reduce((a, s) => a + s.tokens.length, 0);
  const ids = new Int32Array(N);
  const positions = new Int32Array(N);
  const slots = new Int32Array(N);
  const attn: AttentionSeq[] = [];
  const sampleRows: number[] = [];
  const sampleIds: number[] = [];
  let row = 0;
  for (const s of seqs) {
    const table = Int32Array.from(s.blockTable);
    s.tokens.forEach((token, k) => {
      const pos = s.start + k;
      ids[row + k] = token;
      positions[row + k] = pos;
      slots[row + k] = table[Math.floor(pos / blockSize)]! * blockSize + (pos % blockSize);
    });
    attn.push({ rowStart: row, queryLen: s.tokens.length, contextLen: s.start + s.tokens.length, blockTable: table });
    row += s.tokens.length;
    if (s.sample) {
      sampleRows.push(row - 1);
      sampleIds.push(s.id);
    }
  }
  return { ids, positions, slots, seqs: attn, sampleRows: Int32Array.from(sampleRows), sampleIds };
}

/** Rows [start, start + count) of a flat batch, padded with token 0 at position 0 (no KV slot). */
export function padSlice(flat: FlatBatch, start: number, count: number): { ids: Int32Array } {
  const ids = new Int32Array(count);
  const N = flat.ids.length;
  for (let k = 0; k < count && start + k < N; k++) ids[k] = flat.ids[start + k]!;
  return { ids };
}
