import type { OpRecord } from '../ops/trace.ts';
import type { AttentionHeads } from './attention.ts';
import { BreakdownSum } from './breakdown.ts';
import { collectiveTime } from './collective.ts';
import { gemmTime, memoryTime } from './gemm.ts';
import type { HardwareProfile } from './profile.ts';

/**
 * Prices the non-attention records of a meta trace (GEMMs, memory-bound ops, collectives by
 * group) and returns the head configuration of its attention records, which the iteration model
 * prices from the real per-sequence lengths instead of the traced batch's.
 */
export function priceRecords(p: HardwareProfile, records: readonly OpRecord[]): { sum: BreakdownSum; heads: AttentionHeads | null } {
  const sum = new BreakdownSum();
  let heads: AttentionHeads | null = null;
  for (const r of records) {
    switch (r.op) {
      case 'gemm':
        sum.gemm += gemmTime(p, r.m, r.n, r.k, r.weightBytes, r.actBytes);
        break;
      case 'memory':
        sum.memory += memoryTime(p, r.bytes);
        break;
      case 'collective':
        sum[r.group] += collectiveTime(p, r.kind, r.size, r.bytes).time;
        break;
      case 'attention':
        heads ??= { qHeads: r.qHeads, kvHeads: r.kvHeads, headDim: r.headDim, kvBytes: r.kvBytes, actBytes: r.actBytes };
        break;
    }
  }
  return { sum, heads };
}

/**
 * Peak activation bytes of one traced forward, as vLLM's profile run would see it: the largest
 * GEMM working set (input + output) or collective buffer (input + output), plus the residual
 * stream and its normalised copy at the largest row count. A deliberately simple upper-level
 * estimate: PyTorch frees intermediates, so only one op's buffers are live at a time.
 */
export function peakActivationBytes(records: readonly OpRecord[], hidden: number, actBytes: number): number {
  let peak = 0;
  let rows = 0;
  for (const r of records) {
    if (r.op === 'gemm') {
      peak = Math.max(peak, r.m * (r.k + r.n) * r.actBytes);
      rows = Math.max(rows, r.m);
    } else if (r.op === 'collective') {
      const out = r.kind === 'all_gather' ? r.size * r.bytes : r.kind === 'reduce_scatter' ? r.bytes / r.size : r.bytes;
      peak = Math.max(peak, r.bytes + out);
    }
  }
  return peak + 2 * rows * hidden * actBytes;
}
