import type { Executor } from '../../src/exec/types.ts';
import type { SeqWork } from '../../src/model/batch.ts';

/**
 * Teacher-forced logits at every position of one token sequence, through any executor. An
 * executor returns logits only where a sequence samples, so prefix j (tokens 0..j) runs as its
 * own sequence, j = 0 … L−1, in two iterations: its first half as a prefill chunk, then the rest
 * (one token, a decode, for the short prefixes; a chunk reading cached KV for the long ones),
 * sampling at position j. Both iterations hold about L²/4 tokens of many sequences, so SP splits
 * them across ranks and Shift under an alternating policy runs each iteration in another mode.
 */
export async function teacherForcedLogits(exec: Executor, tokens: readonly number[], blockSize: number): Promise<Float32Array[]> {
  const next = new Array<number>(exec.replicas).fill(0);
  const seqs = tokens.map((_, j) => {
    const replica = j % exec.replicas;
    const blocks = Math.ceil((j + 1) / blockSize);
    const blockTable = Array.from({ length: blocks }, (_, b) => next[replica]! + b);
    next[replica]! += blocks;
    return { id: j, replica, blockTable, split: Math.floor((j + 1) / 2) };
  });
  const work = (first: boolean): SeqWork[] =>
    seqs.flatMap((s) => {
      const [from, to] = first ? [0, s.split] : [s.split, s.id + 1];
      if (to === from) return [];
      return [{ id: s.id, replica: s.replica, tokens: tokens.slice(from, to), start: from, blockTable: s.blockTable, sample: !first, decode: false }];
    });
  await exec.step({ seqs: work(true) });
  const step = await exec.step({ seqs: work(false) });
  return seqs.map((s) => {
    const logits = step.logits.get(s.id);
    if (!logits) throw new Error(`${exec.name}: no logits for position ${s.id}`);
    return logits;
  });
}

/** KV blocks (per replica, enough for one) that teacherForcedLogits needs for `length` tokens. */
export function teacherForcedBlocks(length: number, blockSize: number): number {
  let n = 0;
  for (let j = 0; j < length; j++) n += Math.ceil((j + 1) / blockSize);
  return n;
}
