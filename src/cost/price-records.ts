import type { OpRecord } from '../ops/trace.ts';
import type { AttentionHeads } from './attention.ts';
import { BreakdownSum } from './breakdown.ts';
import { collectiveTime, p2pTime } from './collective.ts';
import { gemmTime, memoryTime } from './gemm.ts';
import type { HardwareProfile } from './profile.ts';

/**
 * Memory-bound records that vLLM runs as one kernel, and the bytes the fusion saves (as a
 * fraction of the second record's bytes):
 *  - a residual add, then the RMSNorm of its result: fused_add_rms_norm (vLLM's Llama and Qwen3
 *    decoder layers call `layernorm(hidden_states, residual)`), which reads x and the residual and
 *    writes both without reading the sum back: 3 + 2 passes become 4;
 *  - RoPE of q, then of k: one rotary_embedding kernel rotates both (nothing saved).
 */
const FUSED: readonly { readonly first: string; readonly second: string; readonly saves: number }[] = [
  { first: 'add', second: 'rms_norm', saves: 0.5 },
  { first: 'rope', second: 'rope', saves: 0 },
];

function fusedSaving(prev: OpRecord | undefined, r: OpRecord): number | null {
  if (prev?.op !== 'memory' || r.op !== 'memory') return null;
  const f = FUSED.find((x) => x.first === prev.name && x.second === r.name);
  return f ? f.saves : null;
}

/** What pricing a trace yields: the breakdown, the attention heads, and the kernels it launched. */
export interface PricedRecords {
  readonly sum: BreakdownSum;
  readonly heads: AttentionHeads | null;
  /** Kernels launched (fused pairs count once), attention included. */
  readonly kernels: number;
}

/**
 * Prices the non-attention records of a meta trace (GEMMs, memory-bound ops, collectives by
 * group) and returns the head configuration of its attention records, which the iteration model
 * prices from the real per-sequence lengths instead of the traced batch's.
 *
 * Every record is one kernel, except the fused pairs above, and no kernel takes less than the
 * profile's kernel_floor_s (inside a CUDA graph a kernel still costs a few µs however little it
 * does): time = max(roofline, floor). A fused pair is priced as one kernel of its combined bytes.
 */
export function priceRecords(p: HardwareProfile, records: readonly OpRecord[]): PricedRecords {
  const sum = new BreakdownSum();
  const floor = p.kernel_floor_s ?? 0;
  let heads: AttentionHeads | null = null;
  let kernels = 0;
  let pending = 0; // bytes of the memory kernel not yet priced (it may fuse with the next record)
  let fused = false; // the pending kernel is already a fused pair
  const flush = (): void => {
    if (pending > 0) sum.memory += Math.max(floor, memoryTime(p, pending));
    pending = 0;
    fused = false;
  };
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.op === 'memory') {
      const saving = fusedSaving(records[i - 1], r);
      if (saving !== null && pending > 0 && !fused) {
        pending += r.bytes * (1 - saving);
        fused = true;
        continue;
      }
      flush();
      pending = r.bytes;
      kernels++;
      continue;
    }
    flush();
    switch (r.op) {
      case 'gemm':
        sum.gemm += Math.max(floor, gemmTime(p, r));
        kernels++;
        break;
      case 'collective':
        sum.addCollective(r.group, Math.max(floor, collectiveTime(p, r.kind, r.size, r.bytes).time));
        kernels++;
        break;
      case 'p2p':
        // The sender pays the transfer; the matching receive is the same transfer seen from the
        // other end, so pricing it too would count it twice along a pipeline.
        if (r.dir === 'send') {
          sum.addCollective(r.group, Math.max(floor, p2pTime(p, r.bytes).time));
          kernels++;
        }
        break;
      case 'attention':
        heads ??= { qHeads: r.qHeads, kvHeads: r.kvHeads, headDim: r.headDim, kvBytes: r.kvBytes, actBytes: r.actBytes };
        kernels++;
        break;
    }
  }
  flush();
  return { sum, heads, kernels };
}

/**
 * Peak activation bytes of one traced forward, as vLLM's profile run would see it: the largest
 * GEMM working set (input + output), collective buffer (input + output) or received message, plus the residual
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
    } else if (r.op === 'p2p') {
      peak = Math.max(peak, r.bytes);
    }
  }
  return peak + 2 * rows * hidden * actBytes;
}
