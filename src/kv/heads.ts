import type { ModelConfig } from '../model/config.ts';
import { type FullTpOrder, fullTpGroup, spIndex, tpIndex } from '../parallel/groups.ts';
import type { Mode } from '../parallel/mode.ts';

/**
 * The attention heads one rank owns: its query heads, the KV heads those queries read, and,
 * when there are fewer KV heads than ranks, which replica of its KV head it holds.
 *
 *   h = 8 query heads, g = 2 KV heads, sharded over n = 4 positions:
 *     position   q heads   KV head   replica
 *        0        0 1        0        0 of 2
 *        1        2 3        0        1 of 2
 *        2        4 5        1        0 of 2
 *        3        6 7        1        1 of 2
 */
export interface HeadShard {
  readonly qHeads: readonly number[];
  readonly kvHeads: readonly number[];
  /** Copies of each KV head across the group (1 when KV heads >= positions). */
  readonly replicas: number;
  /** Which copy this shard holds, 0..replicas-1. */
  readonly replica: number;
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => start + k);
}

/** Heads of position p among n tensor-parallel shards (vLLM's split and replication rule). */
export function tpShard(model: ModelConfig, n: number, p: number): HeadShard {
  const hq = model.heads / n;
  if (model.kvHeads >= n) {
    const g = model.kvHeads / n;
    return { qHeads: range(p * hq, hq), kvHeads: range(p * g, g), replicas: 1, replica: 0 };
  }
  const replicas = n / model.kvHeads;
  return {
    qHeads: range(p * hq, hq),
    kvHeads: [Math.floor(p / replicas)],
    replicas,
    replica: p % replicas,
  };
}

/**
 * Position of `rank` in the attention layout of a mode: the head block it attends over.
 * TP over all ranks: its index in the full-TP group. SP (s, t): j·s + i after the all-to-all.
 * DP: its TP index inside its replica.
 */
export function attentionPosition(rank: number, mode: Mode, base: { sp: number; tp: number }, order: FullTpOrder = 'full-tp'): { p: number; n: number } {
  switch (mode.kind) {
    case 'tp': {
      const group = fullTpGroup(base.sp, base.tp, order);
      return { p: group.indexOf(rank), n: group.length };
    }
    case 'sp':
      return { p: tpIndex(rank, mode.tp) * mode.sp + spIndex(rank, mode.tp), n: mode.sp * mode.tp };
    case 'dp':
      return { p: tpIndex(rank, mode.tp), n: mode.tp };
  }
}

/** The heads `rank` attends over (and whose KV it stores) in `mode`. */
export function attentionShard(model: ModelConfig, rank: number, mode: Mode, base: { sp: number; tp: number }, order: FullTpOrder = 'full-tp'): HeadShard {
  const { p, n } = attentionPosition(rank, mode, base, order);
  return tpShard(model, n, p);
}
