import type { GroupName } from '../parallel/groups.ts';

/**
 * What one rank does in one iteration, as recorded by the meta backends: the input of the
 * cost model. Byte counts use the element sizes of the meta backend's dtypes.
 */
export type OpRecord =
  /**
   * x [m, k] · W [k, n]: weights of weightBytes per element, input of inBytes (1 when an FP8
   * GEMM reads activations quantized by the 'act_quant' record before it), output of actBytes.
   */
  | {
      readonly op: 'gemm';
      readonly m: number;
      readonly n: number;
      readonly k: number;
      readonly weightBytes: number;
      readonly inBytes: number;
      readonly actBytes: number;
      readonly scheme: GemmScheme;
    }
  /** Causal attention over a paged cache, per sequence (query tokens, context tokens). */
  | { readonly op: 'attention'; readonly qHeads: number; readonly kvHeads: number; readonly headDim: number; readonly kvBytes: number; readonly actBytes: number; readonly seqs: readonly { readonly q: number; readonly ctx: number }[] }
  /** A memory-bound kernel (norm, RoPE, add, activation quantization, ...): bytes read plus written. */
  | { readonly op: 'memory'; readonly name: string; readonly bytes: number }
  | CollectiveRecord
  | P2pRecord;

/** The GEMM kernel family: BF16, FP8 with per-channel weight scales, or block-scaled FP8. */
export type GemmScheme = 'bf16' | 'fp8-channel' | 'fp8-block';

export type CollectiveKind = 'all_reduce' | 'all_gather' | 'all_to_all' | 'reduce_scatter';

/** One collective as seen by one rank: `bytes` is this rank's input payload. */
export interface CollectiveRecord {
  readonly op: 'collective';
  readonly kind: CollectiveKind;
  readonly group: GroupName;
  /** Ranks in the group. */
  readonly size: number;
  readonly bytes: number;
}

/**
 * One point-to-point transfer as seen by one rank: a send of `bytes` to `peer`, or a receive of
 * `bytes` from `peer` (both global ranks), inside process group `group`.
 */
export interface P2pRecord {
  readonly op: 'p2p';
  readonly dir: 'send' | 'recv';
  readonly group: GroupName;
  readonly peer: number;
  readonly bytes: number;
}

/** What a communicator records: its collectives and its point-to-point transfers. */
export type CommRecord = CollectiveRecord | P2pRecord;

export class Trace {
  readonly records: OpRecord[] = [];

  push(r: OpRecord): void {
    this.records.push(r);
  }

  collectives(): CollectiveRecord[] {
    return this.records.filter((r): r is CollectiveRecord => r.op === 'collective');
  }

  /** The collectives and point-to-point transfers, in order (what a real communicator records). */
  comm(): CommRecord[] {
    return this.records.filter((r): r is CommRecord => r.op === 'collective' || r.op === 'p2p');
  }
}
