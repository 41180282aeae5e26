import type { GroupName } from '../parallel/groups.ts';

/**
 * What one rank does in one iteration, as recorded by the meta backends: the input of the
 * cost model. Byte counts use the element sizes of the meta backend's dtypes.
 */
export type OpRecord =
  /** x [m, k] · W [k, n]. */
  | { readonly op: 'gemm'; readonly m: number; readonly n: number; readonly k: number; readonly weightBytes: number; readonly actBytes: number }
  /** Causal attention over a paged cache, per sequence (query tokens, context tokens). */
  | { readonly op: 'attention'; readonly qHeads: number; readonly kvHeads: number; readonly headDim: number; readonly kvBytes: number; readonly actBytes: number; readonly seqs: readonly { readonly q: number; readonly ctx: number }[] }
  /** A memory-bound op: bytes read plus bytes written. */
  | { readonly op: 'memory'; readonly name: string; readonly bytes: number }
  | CollectiveRecord;

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

export class Trace {
  readonly records: OpRecord[] = [];

  push(r: OpRecord): void {
    this.records.push(r);
  }

  collectives(): CollectiveRecord[] {
    return this.records.filter((r): r is CollectiveRecord => r.op === 'collective');
  }
}
