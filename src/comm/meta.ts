import type { Group } from '../parallel/groups.ts';
import type { MetaOps, MetaTensor } from '../ops/meta.ts';
import type { CollectiveKind, Trace } from '../ops/trace.ts';
import { numel } from '../ops/types.ts';
import type { Comm, GroupComm } from './types.ts';

/** Collectives that only record their size; results are shaped placeholders. */
export class MetaComm implements Comm<MetaTensor> {
  constructor(
    readonly rank: number,
    readonly world: number,
    private readonly trace: Trace,
    private readonly ops: MetaOps,
  ) {}

  drain(): [] {
    return [];
  }

  group(g: Group): GroupComm<MetaTensor> {
    const n = g.ranks.length;
    const record = (kind: CollectiveKind, x: MetaTensor, shape: number[]): MetaTensor => {
      if (n === 1) return x; // the identity, as in LocalComm
      this.trace.push({ op: 'collective', kind, group: g.name, size: n, bytes: numel(x.shape) * x.elem });
      return this.ops.upload(new Float32Array(0), shape);
    };
    return {
      name: g.name,
      ranks: g.ranks,
      index: g.ranks.indexOf(this.rank),
      allReduce: (x) => record('all_reduce', x, [...x.shape]),
      allGather: (x) => record('all_gather', x, [n * x.shape[0]!, ...x.shape.slice(1)]),
      allToAll: (x) => record('all_to_all', x, [...x.shape]),
      reduceScatter: (x) => record('reduce_scatter', x, [x.shape[0]! / n, ...x.shape.slice(1)]),
    };
  }
}
