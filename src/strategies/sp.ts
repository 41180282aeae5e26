import { type HeadShard, tpShard } from '../kv/heads.ts';
import type { ModelConfig } from '../model/config.ts';
import { spGroup, spIndex, tpGroup, tpIndex, worldGroup } from '../parallel/groups.ts';
import { type Mode, allLayers, checkDegrees, checkShards, groupOf, validateMode } from '../parallel/mode.ts';
import { padSlice } from './batch.ts';
import { attend, lmHead, mlp } from './blocks.ts';
import { degreeKey, resolveSpTp } from './keys.ts';
import { type ModePart, rankModel } from './part.ts';
import { endWeight, loadShard } from './shard.ts';
import type { RankContext, Strategy } from './types.ts';

/**
 * SP = s × TP = t on P = s·t ranks, rank r = i·t + j (groups.ts): groups 'tp' (contiguous) and
 * 'sp' (stride t); after the all-to-all rank (i, j) attends over head block j·s + i of s·t.
 */
export function spMode(model: ModelConfig, s: number, t: number): Mode {
  const label = `SP=${s}×TP=${t}`;
  checkDegrees(label, { sp: s, tp: t });
  const P = s * t;
  checkShards(model, label, t, P);
  const ranks = Array.from({ length: P }, (_, r) => r);
  return {
    id: 'sp',
    label,
    layoutLabel: label,
    world: P,
    tokenShards: s,
    pools: 1,
    groups: ranks.map((r) => [{ name: 'tp', ranks: tpGroup(r, t) }, { name: 'sp', ranks: spGroup(r, s, t) }, worldGroup(P)]),
    kv: ranks.map((r) => {
      const [i, j] = [spIndex(r, t), tpIndex(r, t)];
      const p = j * s + i;
      return { rank: r, ...tpShard(model, P, p), layers: allLayers(model), pool: 0, where: `head block j·s+i = ${j}·${s}+${i} = ${p} after the all-to-all` };
    }),
  };
}

/**
 * Ulysses sequence parallelism for inference, rank (i, j) of SP = s × TP = t (see SHIFT.md):
 *
 *   tokens  N → Np (padded to a multiple of s); SP rank i holds rows [i·m, (i+1)·m), m = Np/s
 *   x       [m, H]                    embedding of the local tokens
 *   qkv     [m, (hq_t + 2·g_t)·d]     TP-sharded projection (heads of TP rank j)
 *   send    [s·m, w]                  column block k = head block j·s+k (q, k, v; KV replicated)
 *   recv    [Np, w] → [N, w]          all-to-all: every token, the heads of block j·s+i
 *   attn    [N, hq_P·d]               attention and KV writes for those heads only
 *   back    [Np, hq_P·d]              all-to-all back: row block k = local tokens, heads j·s+k
 *   o       [m, hq_t·d] · W_o         then the TP all-reduce inside the TP group
 *   final   [Np, H] → [N, H]          all-gather over SP, so logits see every token
 */
export function spPart<T, C>(ctx: RankContext<T, C>, mode: Mode, s: number, t: number): ModePart<T, C> {
  const { ops, model: m, rank } = ctx;
  const tpg = ctx.comm.group(groupOf(mode, rank, 'tp'));
  const spg = ctx.comm.group(groupOf(mode, rank, 'sp'));
  const local = tpShard(m, t, tpIndex(rank, t));
  const heads = mode.kv[rank]!;
  const shard = loadShard(ctx, t, tpIndex(rank, t), local);
  const pack = packColumns(ctx, local, tpIndex(rank, t), s, t);
  const i = spIndex(rank, t);
  return {
    mode,
    heads,
    forward(flat, cache) {
      const N = flat.ids.length;
      const rows = Math.ceil(N / s); //                                              m
      let x = ops.embedding(endWeight(shard, 'embed'), padSlice(flat, i * rows, rows).ids); //    [m, H]
      shard.layers.forEach((w, l) => {
        x = ops.scope(() => {
          const qkv = ops.matmul(ops.rmsNorm(x, w.attnNorm, m.rmsEps), w.wqkv); // [m, (hq_t+2g_t)·d]
          const send = ops.colBlocksToRows(ops.selectColumns(qkv, pack), s); //    [s·m, w]
          const recv = ops.sliceRows(spg.allToAll(send), 0, N); //                 [N, w]
          const a = attend(ctx, w, l, recv, heads, flat, cache); //                [N, hq_P·d]
          const back = spg.allToAll(ops.padRows(a, s * rows)); //                  [Np, hq_P·d]
          const o = ops.matmul(ops.rowBlocksToCols(back, s), w.wo); //             [m, H]
          const y = ops.add(x, tpg.allReduce(o));
          return ops.add(y, tpg.allReduce(mlp(ctx, w, ops.rmsNorm(y, w.mlpNorm, m.rmsEps))));
        });
      });
      if (flat.sampleRows.length === 0) return null;
      const all = ops.sliceRows(spg.allGather(x), 0, N); //                          [N, H]
      return lmHead(ctx, shard, tpg, ops.selectRows(all, flat.sampleRows)); //     [B, V]
    },
  };
}

/**
 * Columns of the local QKV output [m, (hq_t + 2·g_t)·d] in send order: for each SP peer k,
 * the q heads of block j·s+k, then its KV heads' k columns, then their v columns. A KV head
 * shared by several blocks (fewer KV heads than s·t) is listed once per block: replication
 * happens in the send buffer.
 */
function packColumns<T, C>(ctx: RankContext<T, C>, local: HeadShard, j: number, s: number, t: number): Int32Array {
  const d = ctx.model.headDim;
  const hq = local.qHeads.length;
  const g = local.kvHeads.length;
  const cols = (offset: number, index: number): number[] => Array.from({ length: d }, (_, c) => offset + index * d + c);
  const out: number[] = [];
  for (let k = 0; k < s; k++) {
    const block = tpShard(ctx.model, s * t, j * s + k);
    for (const h of block.qHeads) out.push(...cols(0, local.qHeads.indexOf(h)));
    for (const h of block.kvHeads) out.push(...cols(hq * d, local.kvHeads.indexOf(h)));
    for (const h of block.kvHeads) out.push(...cols((hq + g) * d, local.kvHeads.indexOf(h)));
  }
  return Int32Array.from(out);
}

/** The keys of an SP × TP grid (SP and Shift). */
export const SP_KEYS = {
  sp: degreeKey('SP degree s; default world / tp'),
  tp: degreeKey('TP degree t; default world / sp'),
};

export const sp: Strategy = {
  name: 'sp',
  summary: 'Ulysses sequence parallelism SP=s × TP=t (two all-to-alls per layer; KV laid out by head)',
  configKeys: SP_KEYS,
  parallel: resolveSpTp,
  routed: false,
  modes(model, parallel) {
    const mode = spMode(model, parallel.sp, parallel.tp);
    validateMode(mode, parallel.world);
    return [mode];
  },
  replicas: () => 1,
  createRank(ctx) {
    const { sp: s, tp: t } = ctx.parallel;
    return rankModel(ctx, [spPart(ctx, spMode(ctx.model, s, t), s, t)], ctx.rank === 0);
  },
};
