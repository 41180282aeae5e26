/**
 * Prefix caching for traces that carry prefix-block hashes (Mooncake: one id per 512 prompt
 * tokens; equal ids mean a reusable prefix). An LRU set of the hash ids whose KV an engine has
 * computed, bounded by what its KV pool can hold.
 *
 * Simplification (documented in the report): a hit saves prefill compute only. The request
 * still allocates blocks for its whole context, as if cached blocks were copied rather than
 * shared, so memory use is over-estimated and the hit rate is that of an LRU over the pool size.
 */
export class PrefixCache {
  private readonly lru = new Map<number, true>();

  constructor(
    /** Tokens per hash id (512 for Mooncake). */
    readonly blockTokens: number,
    /** Hash ids the cache can hold. */
    readonly capacity: number,
  ) {}

  /** Prompt tokens covered by the longest cached prefix of `hashIds` (touches the hits). */
  lookup(hashIds: readonly number[]): number {
    let hits = 0;
    for (const h of hashIds) {
      if (!this.lru.has(h)) break;
      this.lru.delete(h);
      this.lru.set(h, true);
      hits++;
    }
    return hits * this.blockTokens;
  }

  /** Records the prefix blocks of a prompt whose KV is now computed. */
  insert(hashIds: readonly number[]): void {
    for (const h of hashIds) {
      this.lru.delete(h);
      this.lru.set(h, true);
      if (this.lru.size > this.capacity) this.lru.delete(this.lru.keys().next().value!);
    }
  }
}
