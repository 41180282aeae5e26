import type { SeqWork } from '../model/batch.ts';
import { type KvLayout, type RankKv, cacheShape, slotOf } from './layout.ts';

/** KV that changed across a switch where it must not have (a debug check). */
export class KvMovedError extends Error {
  override readonly name = 'KvMovedError';
}

/** Size of every rank's paged cache. */
export interface KvGeometry {
  readonly layers: number;
  readonly blocks: number;
  readonly blockSize: number;
  readonly headDim: number;
}

/**
 * The debug check run across a switch: every slot of every rank's cache is bit-identical
 * before and after the first iteration in the new mode, except the slots that iteration writes
 * for its new tokens. A new slot that holds context another sequence of the batch reads
 * (a block given to two sequences) must not change either.
 *
 * A rank's snapshot (Ops.readKv) with g_r KV heads, S = blocks · blockSize slots:
 *
 *   [K layer 0][K layer 1]…[K layer L-1][V layer 0]…[V layer L-1]    each [S, g_r, d]
 *   word w → slot ⌊w / (g_r·d)⌋ mod S, KV head ⌊w / d⌋ mod g_r, tensor ⌊w / (S·g_r·d)⌋
 */
export interface KvSwitchSnapshots {
  /** The layout of the caches (the first mode's: caches are sized for it). */
  readonly layout: KvLayout;
  readonly geometry: KvGeometry;
  /** The iteration that ran in the new mode. */
  readonly seqs: readonly SeqWork[];
  readonly from: string;
  readonly to: string;
  /** readKv() of every rank, before and after that iteration. */
  readonly before: readonly Float32Array[];
  readonly after: readonly Float32Array[];
}

/** Throws KvMovedError naming the rank, K or V, layer, block, slot and KV head of the first change. */
export function assertKvUnmoved(o: KvSwitchSnapshots): void {
  if (o.before.length !== o.layout.world || o.after.length !== o.layout.world) {
    throw new KvMovedError(`expected KV snapshots of ${o.layout.world} ranks, got ${o.before.length} before and ${o.after.length} after`);
  }
  for (const rank of o.layout.ranks) checkRank(o, rank);
}

/** Slot → what it holds, for the sequences of the batch in this rank's pool. */
function slotsOf(o: KvSwitchSnapshots, rank: RankKv): { fresh: Map<number, string>; context: Map<number, string> } {
  const fresh = new Map<number, string>();
  const context = new Map<number, string>();
  const { blockSize } = o.geometry;
  for (const s of o.seqs) {
    if (o.layout.pools > 1 && s.replica !== rank.pool) continue;
    for (let p = 0; p < s.start; p++) context.set(slotOf(s.blockTable, p, blockSize), `position ${p} of sequence ${s.id}`);
    s.tokens.forEach((_, k) => fresh.set(slotOf(s.blockTable, s.start + k, blockSize), `position ${s.start + k} of sequence ${s.id}`));
  }
  return { fresh, context };
}

function checkRank(o: KvSwitchSnapshots, rank: RankKv): void {
  const { layers, blocks, blockSize, headDim: d } = o.geometry;
  const [S, g] = cacheShape(rank, blocks * blockSize, d);
  const expected = 2 * layers * S * g * d;
  const [before, after] = [o.before[rank.rank]!, o.after[rank.rank]!];
  if (before.length !== expected || after.length !== expected) {
    throw new KvMovedError(
      `rank ${rank.rank}: KV snapshots have ${before.length} and ${after.length} floats, expected ${expected} ` +
        `(2 × ${layers} layers × ${S} slots × ${g} KV heads × ${d})`,
    );
  }
  const { fresh, context } = slotsOf(o, rank);
  const [x, y] = [new Uint32Array(before.buffer, before.byteOffset, expected), new Uint32Array(after.buffer, after.byteOffset, expected)];
  for (let w = 0; w < expected; w++) {
    if (x[w] === y[w]) continue;
    const slot = Math.floor(w / (g * d)) % S;
    const held = context.get(slot);
    if (fresh.has(slot) && held === undefined) continue;
    const tensor = Math.floor(w / (S * g * d));
    const what = held
      ? `it holds ${held}, context this iteration reads, yet ${fresh.get(slot) ?? 'no new token'} was written there`
      : 'no token of this iteration is written there';
    throw new KvMovedError(
      `KV moved across the switch from ${o.from} to ${o.to}: rank ${rank.rank}, ${tensor < layers ? 'K' : 'V'} cache of layer ${tensor % layers}, ` +
        `block ${Math.floor(slot / blockSize)} offset ${slot % blockSize} (slot ${slot}), KV head ${rank.kvHeads[Math.floor(w / d) % g]} ` +
        `changed from ${before[w]} to ${after[w]}; ${what}`,
    );
  }
}
