import type { EngineSeq } from './sequence.ts';

/**
 * One engine's paged KV cache (vLLM's layout): fixed-size blocks, each sequence holding a block
 * table. The executor reads the ids (they address the real cache); the simulator only counts.
 *
 *   sequence 7, 37 tokens, block size 16:   table [4, 9, 2]
 *     positions  0..15 → block 4    16..31 → block 9    32..36 → block 2 (11 slots free)
 *
 * Growing is all-or-nothing; "does not fit" is a normal answer that makes the scheduler wait or
 * preempt, not an error. O(1) per call plus O(1) per block handed out or taken back. A counting
 * pool (`ids: false`, the simulator's) makes the same decisions without block tables: the
 * simulator replays millions of requests and never reads an id.
 */
export class BlockPool {
  used = 0;
  maxUsed = 0;
  /** Free block ids, popped from the end: lowest ids are handed out first; null in a counting pool. */
  private readonly freeIds: number[] | null;

  constructor(
    readonly capacity: number,
    readonly blockSize: number,
    options: { readonly ids?: boolean } = {},
  ) {
    this.freeIds = options.ids === false ? null : Array.from({ length: capacity }, (_, k) => capacity - 1 - k);
  }

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /** Grows `s`'s block table to cover `tokens` positions; false (and no change) when blocks run out. */
  grow(s: EngineSeq, tokens: number): boolean {
    const need = this.blocksFor(tokens) - s.blocks;
    if (need <= 0) return true;
    if (this.used + need > this.capacity) return false;
    if (this.freeIds) for (let k = 0; k < need; k++) s.blockTable.push(this.freeIds.pop()!);
    s.blocks += need;
    this.used += need;
    if (this.used > this.maxUsed) this.maxUsed = this.used;
    return true;
  }

  /** Takes back every block of `s`. */
  free(s: EngineSeq): void {
    const t = s.blockTable;
    if (this.freeIds) for (let k = t.length - 1; k >= 0; k--) this.freeIds.push(t[k]!);
    this.used -= s.blocks;
    s.blocks = 0;
    t.length = 0;
  }
}
