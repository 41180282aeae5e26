/**
 * Process groups of a world of P = s·t ranks laid out SP × TP with TP innermost:
 *
 *   rank r = i·t + j      (i: SP index 0..s-1, j: TP index 0..t-1)
 *
 *   s = 4, t = 2:     TP groups (contiguous)   [0,1] [2,3] [4,5] [6,7]
 *                     SP groups (stride t)     [0,2,4,6] [1,3,5,7]
 *                     full-TP group            [0,2,4,6,1,3,5,7]   (TP index, then SP index)
 *
 * In the full-TP order rank (i, j) sits at position j·s + i, which is the head block it
 * owns after the Ulysses all-to-all in SP mode, so both modes own the same KV heads.
 */
export interface Group {
  /** A stable name chosen by the mode that creates the group (e.g. the TP group of SP). */
  readonly name: GroupName;
  /** Member ranks, in collective order. */
  readonly ranks: readonly number[];
}

/** Open: each mode names its own groups; nothing registers them centrally. */
export type GroupName = string;

/** Order of the full-TP group: 'full-tp' is SHIFT.md's; 'naive' (0..P-1) is only for the verifier. */
export type FullTpOrder = 'full-tp' | 'naive';

export function spIndex(rank: number, t: number): number {
  return Math.floor(rank / t);
}

export function tpIndex(rank: number, t: number): number {
  return rank % t;
}

export function tpGroup(rank: number, t: number): number[] {
  const i = spIndex(rank, t);
  return Array.from({ length: t }, (_, j) => i * t + j);
}

export function spGroup(rank: number, s: number, t: number): number[] {
  const j = tpIndex(rank, t);
  return Array.from({ length: s }, (_, i) => i * t + j);
}

export function fullTpGroup(s: number, t: number, order: FullTpOrder = 'full-tp'): number[] {
  const P = s * t;
  if (order === 'naive') return Array.from({ length: P }, (_, r) => r);
  const out: number[] = [];
  for (let j = 0; j < t; j++) for (let i = 0; i < s; i++) out.push(i * t + j);
  return out;
}

/** The group of all ranks 0..P-1. */
export function worldGroup(P: number): Group {
  return { name: 'world', ranks: Array.from({ length: P }, (_, r) => r) };
}
