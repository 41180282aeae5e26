import type { ModelConfig } from '../model/config.ts';
import { type LayerRange, type Mode, ParallelConfigError } from '../parallel/mode.ts';
import { type KvLayout, type RankKv, kvLayout } from './layout.ts';

/**
 * The invariance verifier. KV data is identified by (layer, sequence, KV head): layouts a and b
 * keep it in place iff every rank holds the same KV heads of the same layers of the same
 * sequences in both. Copies of a replicated KV head hold identical values (every copy is
 * projected from the same hidden state with the same weights), so which copy a rank holds does
 * not matter; which head does.
 *
 * Sequences are grouped by block pool: with one pool (TP, SP, Shift) every rank holds a slice
 * of every sequence; with R pools (DP) a sequence lives on its replica's ranks only, sequence
 * class σ on replica σ mod R (round-robin, as `generate` routes them).
 *
 * Layers are grouped into segments: the cuts are every rank's layer-range ends in both layouts,
 * so within a segment every rank holds all of its layers or none, and one layer stands for it.
 *
 *   a: ranks 0,1 hold layers [0, 40), ranks 2,3 [40, 80)      segments [0, 40) [40, 60) [60, 80)
 *   b: ranks 0,1 hold layers [0, 60), ranks 2,3 [60, 80)      [40, 60) moves from ranks 2,3 to 0,1
 */

/** What a rank owns in one layout, as plain data. */
export interface RankHeads {
  readonly kvHeads: readonly number[];
  /** Which copy of a replicated KV head (0..replicas-1); replicas is 1 when not replicated. */
  readonly replica: number;
  readonly replicas: number;
  readonly qHeads: readonly number[];
  /** The layers whose KV it holds. */
  readonly layers: LayerRange;
  /** Block pool of its cache (DP replica; 0 when block tables are shared). */
  readonly pool: number;
  readonly where: string;
}

export interface RankProof {
  readonly rank: number;
  readonly a: RankHeads;
  readonly b: RankHeads;
}

/** The first (layer, sequence, KV head) whose owners differ, with the rank that shows it. */
export interface Counterexample {
  readonly kvHead: number;
  /** The layers where the owners differ (a segment: the same owners throughout). */
  readonly layers: LayerRange;
  /** Which sequences: 'every sequence', or those of one DP replica. */
  readonly sequences: string;
  readonly ownersA: readonly number[];
  readonly ownersB: readonly number[];
  /** A rank that holds the head in one layout but not in the other. */
  readonly rank: number;
  readonly rankA: RankHeads;
  readonly rankB: RankHeads;
}

export type Verdict =
  | { readonly verdict: 'invariant'; readonly a: string; readonly b: string; readonly reason: string; readonly ranks: readonly RankProof[] }
  | {
      readonly verdict: 'moves';
      readonly a: string;
      readonly b: string;
      readonly reason: string;
      readonly ranks: readonly RankProof[];
      readonly counterexample: Counterexample;
    }
  | { readonly verdict: 'refused'; readonly a: string; readonly b: string; readonly reason: string };

/**
 * Whether switching between the modes `build` returns keeps every KV head of `model` on its
 * rank; 'refused' (named `names`) when a mode cannot exist (it throws ParallelConfigError).
 */
export function verifyInvariance(model: ModelConfig, names: { readonly a: string; readonly b: string }, build: () => readonly [Mode, Mode]): Verdict {
  let modes: readonly [Mode, Mode];
  try {
    modes = build();
  } catch (e) {
    if (e instanceof ParallelConfigError) return { verdict: 'refused', ...names, reason: e.message };
    throw e;
  }
  return compareLayouts(kvLayout(model, modes[0]), kvLayout(model, modes[1]));
}

/** The verdict on two concrete layouts (from formulas, or as the ranks reported them). */
export function compareLayouts(a: KvLayout, b: KvLayout): Verdict {
  const names = { a: a.label, b: b.label };
  if (a.world !== b.world) {
    return {
      verdict: 'refused', ...names,
      reason: `${a.label} uses ${a.world} ranks but ${b.label} uses ${b.world}; KV can stay in place only when both run on the same P = s·t ranks`,
    };
  }
  const gap = coverageGap(a) ?? coverageGap(b);
  if (gap) return { verdict: 'refused', ...names, reason: gap };
  const ranks = a.ranks.map((ra, r): RankProof => ({ rank: r, a: rankHeads(ra), b: rankHeads(b.ranks[r]!) }));
  const counterexample = firstOwnerDifference(a, b);
  if (!counterexample) return { verdict: 'invariant', ...names, reason: invariantReason(a, b), ranks };
  return { verdict: 'moves', ...names, reason: movesReason(a, b, counterexample), ranks, counterexample };
}

function rankHeads(r: RankKv): RankHeads {
  return { kvHeads: r.kvHeads, replica: r.replica, replicas: r.replicas, qHeads: r.qHeads, layers: r.layers, pool: r.pool, where: r.where };
}

function holds(r: RankKv, layer: number): boolean {
  return r.layers.start <= layer && layer < r.layers.end;
}

/** Whether some rank of `l` holds less than every layer. */
function splitsLayers(l: KvLayout): boolean {
  return l.ranks.some((r) => r.layers.start !== 0 || r.layers.end !== l.layers);
}

/** Layer segments [start, end) of 0..L on which every rank of the layouts holds all layers or none. */
function segments(L: number, ...layouts: readonly KvLayout[]): LayerRange[] {
  const cuts = new Set([0, L]);
  for (const l of layouts) for (const r of l.ranks) for (const c of [r.layers.start, r.layers.end]) if (c > 0 && c < L) cuts.add(c);
  const sorted = [...cuts].sort((x, y) => x - y);
  return sorted.slice(1).map((end, k) => ({ start: sorted[k]!, end }));
}

/** 'KV head 3' when no layout splits layers, 'KV head 3 of layers [40, 60)' otherwise. */
function headText(head: number, layers: LayerRange, split: boolean): string {
  if (!split) return `KV head ${head}`;
  return layers.end - layers.start === 1 ? `KV head ${head} of layer ${layers.start}` : `KV head ${head} of layers [${layers.start}, ${layers.end})`;
}

/** Sequence classes that tell both layouts' pools apart: lcm of the pool counts. */
function sequenceClasses(a: KvLayout, b: KvLayout): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a.pools * b.pools) / gcd(a.pools, b.pools);
}

function owners(layout: KvLayout, layer: number, head: number, cls: number): number[] {
  const pool = cls % layout.pools;
  return layout.ranks.filter((r) => r.pool === pool && holds(r, layer) && r.kvHeads.includes(head)).map((r) => r.rank);
}

function describeClass(a: KvLayout, b: KvLayout, cls: number): string {
  const parts = [a, b].filter((l) => l.pools > 1).map((l) => `replica ${cls % l.pools} of ${l.pools} in ${l.label}`);
  return parts.length === 0 ? 'every sequence' : `a sequence on ${parts.join(' and ')}`;
}

function firstOwnerDifference(a: KvLayout, b: KvLayout): Counterexample | null {
  const classes = sequenceClasses(a, b);
  for (const layers of segments(a.layers, a, b)) {
    for (let head = 0; head < a.kvHeads; head++) {
      for (let cls = 0; cls < classes; cls++) {
        const [ownersA, ownersB] = [owners(a, layers.start, head, cls), owners(b, layers.start, head, cls)];
        const rank = [...ownersA, ...ownersB].sort((x, y) => x - y).find((r) => ownersA.includes(r) !== ownersB.includes(r));
        if (rank === undefined) continue;
        const sequences = describeClass(a, b, cls);
        return { kvHead: head, layers, sequences, ownersA, ownersB, rank, rankA: rankHeads(a.ranks[rank]!), rankB: rankHeads(b.ranks[rank]!) };
      }
    }
  }
  return null;
}

/** A reason the layout cannot serve the model at all, or null: every head of every layer must live somewhere. */
function coverageGap(l: KvLayout): string | null {
  const split = splitsLayers(l);
  for (const bad of l.ranks.filter((r) => !(0 <= r.layers.start && r.layers.start < r.layers.end && r.layers.end <= l.layers))) {
    return `${l.label} gives rank ${bad.rank} layers [${bad.layers.start}, ${bad.layers.end}), not a non-empty range of the model's ${l.layers}`;
  }
  for (const layers of segments(l.layers, l)) {
    for (let pool = 0; pool < l.pools; pool++) {
      const members = l.ranks.filter((r) => r.pool === pool && holds(r, layers.start));
      const where = `${split ? ` in layers [${layers.start}, ${layers.end})` : ''}${l.pools > 1 ? ` of replica ${pool}` : ''}`;
      for (let head = 0; head < l.kvHeads; head++) {
        if (!members.some((r) => r.kvHeads.includes(head))) return `${l.label} stores KV head ${head}${where} on no rank`;
      }
      for (let q = 0; q < l.heads; q++) {
        const n = members.filter((r) => r.qHeads.includes(q)).length;
        if (n !== 1) return `${l.label} gives query head ${q}${where} to ${n} ranks instead of one`;
      }
    }
  }
  return null;
}

function describeHeads(h: RankHeads, split: boolean): string {
  const kv = h.kvHeads.length === 1 ? `KV head ${h.kvHeads[0]}` : `KV heads [${h.kvHeads.join(', ')}]`;
  const copy = h.replicas > 1 ? ` (copy ${h.replica} of ${h.replicas})` : '';
  const layers = split ? ` of layers [${h.layers.start}, ${h.layers.end})` : '';
  return `${kv}${copy}${layers}`;
}

function poolText(l: KvLayout, h: RankHeads): string {
  return l.pools > 1 ? `of the sequences on replica ${h.pool}` : 'of every sequence';
}

function movesReason(a: KvLayout, b: KvLayout, c: Counterexample): string {
  const list = (xs: readonly number[]): string => `[${xs.join(', ')}]`;
  const split = splitsLayers(a) || splitsLayers(b);
  const head = `${headText(c.kvHead, c.layers, split)} of ${c.sequences} is stored on ranks ${list(c.ownersA)} in ${a.label} but on ranks ${list(c.ownersB)} in ${b.label}`;
  const rank =
    `rank ${c.rank} holds ${describeHeads(c.rankA, split)} ${poolText(a, c.rankA)} in ${a.label} (${c.rankA.where}) ` +
    `but ${describeHeads(c.rankB, split)} ${poolText(b, c.rankB)} in ${b.label} (${c.rankB.where})`;
  const perRequest = a.pools !== b.pools
    ? `; ${[a, b].find((l) => l.pools > 1)!.label} keeps each sequence's KV on its replica's ranks (per-request layout, one block pool per replica), ` +
      `while ${[a, b].find((l) => l.pools === 1)?.label ?? 'the other'} spreads every sequence over all ranks by head`
    : '';
  return `${head}: ${rank}; after a switch it would read KV it never wrote${perRequest}`;
}

function invariantReason(a: KvLayout, b: KvLayout): string {
  const per = a.ranks[0]!.kvHeads.length;
  const copies = a.ranks[0]!.replicas;
  const share = copies > 1 ? `1 KV head, each head on ${copies} ranks` : `${per} KV head${per === 1 ? '' : 's'}`;
  const tables = a.pools > 1 ? 'per-replica block tables' : 'shared block tables';
  const swapped = a.ranks.filter((r, k) => r.replica !== b.ranks[k]!.replica).map((r) => r.rank);
  const note = swapped.length > 0 ? `; ranks [${swapped.join(', ')}] hold another copy of the same replicated head (identical values)` : '';
  const stages = splitsLayers(a) ? `, each on its own layers` : '';
  return `every rank keeps its KV heads${stages} (${a.world} ranks × ${share}; ${tables}): a switch moves no KV${note}`;
}
