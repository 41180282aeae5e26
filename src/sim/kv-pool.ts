import type { SimRequest } from './request.ts';

/**
 * One engine's paged KV cache, counted in blocks (the simulator never needs block ids, so unlike
 * kv/blocks.ts's BlockPool it keeps only counts: O(1) per call, no per-block arrays):
 *
 *   capacity 6 blocks of 16 tokens    request A (37 tokens) ███ · request B (20 tokens) ██ · free █
 *
 * Growing is all-or-nothing; "does not fit" is a normal answer that makes the scheduler wait or
 * preempt, not an error.
 */
export class KvPool {
  used = 0;
  maxUsed = 0;

  constructor(
    readonly capacity: number,
    readonly blockSize: number,
  ) {}

  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /** Grows `r`'s blocks to cover `tokens` positions; false (and no change) when they run out. */
  grow(r: SimRequest, tokens: number): boolean {
    const need = this.blocksFor(tokens) - r.blocks;
    if (need <= 0) return true;
    if (this.used + need > this.capacity) return false;
    this.used += need;
    r.blocks += need;
    if (this.used > this.maxUsed) this.maxUsed = this.used;
    return true;
  }

  free(r: SimRequest): void {
    this.used -= r.blocks;
    r.blocks = 0;
  }
}
