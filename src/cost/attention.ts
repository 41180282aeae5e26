import type { HardwareProfile } from './profile.ts';

/**
 * Attention of one layer on one rank, priced from each sequence's (query q, context c) lengths:
 *
 *   pairs(q, c) = q·(c − q) + q·(q + 1)/2        causal (query, key) pairs of a chunk
 *   FLOPs       = 4 · d · hq · pairs             QKᵀ and PV
 *   bytes       = c · g · d · 2 · kvb            K and V read from the paged cache
 *               + q · hq · d · 2 · ab            q in, output out
 *
 * One varlen kernel runs the whole batch (vLLM V1's FlashAttention backend), so its time is the
 * roofline of the sums: max(Σ FLOPs_i / (peak · eff(c_i)), Σ bytes_i / (HBM · hbm_eff)), with
 * eff(c) the FA3 causal efficiency at context c. Decodes (q = 1) are read-bound; long prefill
 * chunks are compute-bound.
 */
export interface AttentionHeads {
  /** Query and KV heads this rank attends over (after replication), head dim, element bytes. */
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly kvBytes: number;
  readonly actBytes: number;
}

export interface PrefillChunk {
  /** Query tokens scheduled this iteration. */
  readonly q: number;
  /** Context after the chunk (tokens already cached + q). */
  readonly ctx: number;
}

/** Interpolated (linear in log2 context) and clamped FA3 efficiency. */
export function attentionEfficiency(p: HardwareProfile, ctx: number): number {
  const table = p.attention.efficiency_by_context;
  const first = table[0]!;
  if (ctx <= first[0]) return first[1];
  for (let i = 1; i < table.length; i++) {
    const [c1, e1] = table[i]!;
    if (ctx <= c1) {
      const [c0, e0] = table[i - 1]!;
      const w = Math.log2(ctx / c0) / Math.log2(c1 / c0);
      return e0 + w * (e1 - e0);
    }
  }
  return table[table.length - 1]![1];
}

/**
 * One layer's attention time. Decodes come aggregated (count and Σ context), prefill chunks one
 * by one, so a decode-only batch of any size costs O(1).
 */
export function attentionTime(p: HardwareProfile, h: AttentionHeads, decodes: number, decodeContext: number, chunks: readonly PrefillChunk[]): number {
  const d = h.headDim;
  const kvPerToken = h.kvHeads * d * 2 * h.kvBytes;
  const qPerToken = h.qHeads * d * 2 * h.actBytes;
  let bytes = decodeContext * kvPerToken + decodes * qPerToken;
  let computeTime = 0;
  if (decodes > 0) {
    computeTime = (4 * d * h.qHeads * decodeContext) / (p.attention.peak_flops * attentionEfficiency(p, decodeContext / decodes));
  }
  for (const c of chunks) {
    const pairs = c.q * (c.ctx - c.q) + (c.q * (c.q + 1)) / 2;
    computeTime += (4 * d * h.qHeads * pairs) / (p.attention.peak_flops * attentionEfficiency(p, c.ctx));
    bytes += c.ctx * kvPerToken + c.q * qPerToken;
  }
  const memory = bytes / (p.hbm.bytes_per_s * p.hbm.efficiency);
  return computeTime > memory ? computeTime : memory;
}
