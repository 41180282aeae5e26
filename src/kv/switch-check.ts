import type { KvLayout } from './layout.ts';
import { compareLayouts } from './verify.ts';

/** A switch or deployment that would make some rank read KV heads it did not write. */
export class KvLayoutError extends Error {
  override readonly name = 'KvLayoutError';
}

/**
 * Throws KvLayoutError naming the KV head, its ranks in both layouts and why, unless switching
 * from `from` to `to` keeps every rank's KV heads. The executor passes the layouts the ranks
 * reported (how their weights were sharded), so a wrongly sharded rank is caught.
 */
export function assertSwitchKeepsKv(from: KvLayout, to: KvLayout): void {
  const v = compareLayouts(from, to);
  if (v.verdict === 'invariant') return;
  throw new KvLayoutError(`refusing to switch from ${from.label} to ${to.label} before it runs: ${v.reason}`);
}
