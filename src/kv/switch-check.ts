import type { HeadShard } from './heads.ts';

/** A switch that would make some rank read KV heads it did not write. */
export class KvLayoutError extends Error {
  override readonly name = 'KvLayoutError';
}

function describe(h: HeadShard): string {
  const rep = h.replicas > 1 ? ` (replica ${h.replica} of ${h.replicas})` : '';
  return `KV heads [${h.kvHeads.join(', ')}]${rep}, query heads [${h.qHeads.join(', ')}]`;
}

/** The first rank whose KV heads differ between two layouts, or null when every rank agrees. */
export function firstKvMismatch(a: readonly HeadShard[], b: readonly HeadShard[]): { rank: number; a: HeadShard; b: HeadShard } | null {
  for (let r = 0; r < Math.max(a.length, b.length); r++) {
    const [x, y] = [a[r], b[r]];
    if (!x || !y || x.kvHeads.join() !== y.kvHeads.join() || x.replica !== y.replica || x.qHeads.join() !== y.qHeads.join()) {
      if (!x || !y) throw new KvLayoutError(`layouts cover different numbers of ranks: ${a.length} and ${b.length}`);
      return { rank: r, a: x, b: y };
    }
  }
  return null;
}

/** Throws KvLayoutError naming the rank and heads if switching from layout `a` to `b` moves KV. */
export function assertSwitchKeepsKv(a: readonly HeadShard[], b: readonly HeadShard[], from: string, to: string): void {
  const bad = firstKvMismatch(a, b);
  if (!bad) return;
  throw new KvLayoutError(
    `refusing to switch from ${from} to ${to}: rank ${bad.rank} wrote ${describe(bad.a)} in ${from} ` +
      `but would read ${describe(bad.b)} in ${to}; its KV cache would be read by the wrong heads`,
  );
}
