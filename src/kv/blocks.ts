/**
 * A pool of fixed-size KV blocks and each sequence's block table (vLLM's paged layout):
 *
 *   sequence 7, 37 tokens, block size 16:   table [4, 9, 2]
 *     positions  0..15 → block 4    16..31 → block 9    32..36 → block 2 (11 slots free)
 *
 * Allocation is all-or-nothing: a request that does not fit returns false (the scheduler then
 * waits or preempts); it is a normal outcome, not an error.
 */
export class BlockPool {
  private readonly free: number[];
  private readonly tables = new Map<number, number[]>();

  constructor(
    readonly capacity: number,
    readonly blockSize: number,
  ) {
    // Popped from the end: lowest block ids are handed out first.
    this.free = Array.from({ length: capacity }, (_, k) => capacity - 1 - k);
  }

  /** Blocks needed to hold `tokens` positions. */
  blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.blockSize);
  }

  /** Grows `seq`'s table to cover `tokens` positions; false (and no change) if blocks run out. */
  allocate(seq: number, tokens: number): boolean {
    const table = this.tables.get(seq) ?? [];
    const need = this.blocksFor(tokens) - table.length;
    if (need > this.free.length) return false;
    for (let k = 0; k < need; k++) table.push(this.free.pop()!);
    this.tables.set(seq, table);
    return true;
  }

  table(seq: number): readonly number[] {
    return this.tables.get(seq) ?? [];
  }

  release(seq: number): void {
    const table = this.tables.get(seq);
    if (!table) return;
    this.free.push(...table.reverse());
    this.tables.delete(seq);
  }

  get used(): number {
    return this.capacity - this.free.length;
  }
}
