import type { ModelConfig } from '../model/config.ts';
import type { Group } from './groups.ts';

/** A mode's id, chosen by the strategy that declares it (policies return one). */
export type ModeId = string;

/**
 * What each of a switching block's modes is for, so policies can choose by purpose instead of by
 * id: `latency` serves small iterations fastest, `throughput` large ones.
 */
export interface ModeRoles {
  readonly latency: ModeId;
  readonly throughput: ModeId;
}

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

/** Layers [start, end) of the model. */
export interface LayerRange {
  readonly start: number;
  readonly end: number;
}

/** What one rank stores of the KV cache in a mode: which layers, which heads, which block pool. */
export interface RankKv extends HeadShard {
  readonly rank: number;
  /** The layers whose KV this rank holds (all of them unless the mode splits layers). */
  readonly layers: LayerRange;
  /** The block pool whose tables index this rank's cache: 0 when all ranks share tables, the replica in DP. */
  readonly pool: number;
  /** How the rank came to own these heads, for explanations. */
  readonly where: string;
}

/**
 * How P ranks are used in one engine iteration, as the strategy that runs it declares it. Plain
 * data (it travels to rank workers). Nothing outside the strategy reads what kind of mode it is:
 * its groups, KV layout and token split say everything the framework needs.
 */
export interface Mode {
  readonly id: ModeId;
  /** As a person would name it, e.g. 'SP=2×TP=2'. */
  readonly label: string;
  /** Its KV layout's name when the rank order matters, e.g. 'TP=4 in full-tp order [0,2,1,3]'. */
  readonly layoutLabel: string;
  readonly world: number;
  /** Ways the iteration's token rows are split (Ulysses SP: s), so token counts pad to a multiple; 1 otherwise. */
  readonly tokenShards: number;
  /** Independent block pools (DP replicas); 1 when every rank shares the block tables. */
  readonly pools: number;
  /** Per rank, the process groups it runs collectives in (names are the strategy's). */
  readonly groups: readonly (readonly Group[])[];
  /** Per rank, the KV it stores. */
  readonly kv: readonly RankKv[];
}

export class ParallelConfigError extends Error {
  override readonly name = 'ParallelConfigError';
}

/** Every layer of `model`. */
export function allLayers(model: ModelConfig): LayerRange {
  return { start: 0, end: model.layers };
}

/** Throws unless each of `degrees` is a positive integer, naming the key and the mode. */
export function checkDegrees(label: string, degrees: Record<string, number>): void {
  for (const [key, v] of Object.entries(degrees)) {
    if (!Number.isInteger(v) || v < 1) throw new ParallelConfigError(`${label}: ${key} must be a positive integer, got ${v}`);
  }
}

/**
 * Checks that `model` can be sharded t ways (the TP group of the projections: heads, MLP,
 * vocabulary) and, when given, that its attention can be laid out over `attention` ranks.
 * Every shard of attention must hold whole query heads and either whole KV heads or one
 * replicated KV head (vLLM's rule).
 */
export function checkShards(model: ModelConfig, label: string, t: number, attention?: number): void {
  const tpWhere = `the TP group of ${label}`;
  checkHeads(model, t, tpWhere);
  for (const key of ['mlp', 'vocab'] as const) {
    if (model[key] % t !== 0) {
      throw new ParallelConfigError(`${model.name}: ${key} size ${model[key]} is not divisible by ${t} ranks in ${tpWhere}`);
    }
  }
  if (attention !== undefined) checkHeads(model, attention, `the attention layout of ${label} (s·t = ${attention})`);
}

/** Throws unless `mode` runs on exactly `world` ranks. */
export function validateMode(mode: Mode, world: number): void {
  if (mode.world !== world) {
    throw new ParallelConfigError(`${mode.label} uses ${mode.world} ranks but the world size is ${world}`);
  }
}

function checkHeads(model: ModelConfig, n: number, where: string): void {
  if (model.heads % n !== 0) {
    throw new ParallelConfigError(
      `${model.name}: ${model.heads} query heads are not divisible by ${n} ranks in ${where}`,
    );
  }
  if (model.kvHeads % n !== 0 && n % model.kvHeads !== 0) {
    throw new ParallelConfigError(
      `${model.name}: ${model.kvHeads} KV heads can neither be split over nor replicated onto ` +
        `${n} ranks in ${where} (need ${model.kvHeads} % ${n} = 0 or ${n} % ${model.kvHeads} = 0)`,
    );
  }
}

/** All (s, t) with s·t = P, s ascending. */
export function factorizations(P: number): { sp: number; tp: number }[] {
  const out: { sp: number; tp: number }[] = [];
  for (let s = 1; s <= P; s++) if (P % s === 0) out.push({ sp: s, tp: P / s });
  return out;
}

/** The group named `name` of `rank` in `mode`; throws naming the groups it has. */
export function groupOf(mode: Mode, rank: number, name: string): Group {
  const g = mode.groups[rank]?.find((x) => x.name === name);
  if (!g) throw new ParallelConfigError(`rank ${rank} has no group '${name}' in ${mode.label} (groups: ${(mode.groups[rank] ?? []).map((x) => x.name).join(', ')})`);
  return g;
}

/** Every distinct group any rank may use in the given modes (for allocating barriers). */
export function allGroups(modes: readonly Mode[]): number[][] {
  const seen = new Map<string, number[]>();
  for (const mode of modes) {
    for (const groups of mode.groups) {
      for (const g of groups) seen.set(g.ranks.join(','), [...g.ranks]);
    }
  }
  return [...seen.values()];
}
