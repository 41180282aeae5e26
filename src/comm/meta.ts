import type { Group } from '../parallel/groups.ts';
import type { MetaOps, MetaTensor } from '../ops/meta.ts';
import type { CollectiveKind, Trace } from '../ops/trace.ts';
import { numel } from '../ops/types.ts';
import { p2pGroup } from './p2p.ts';
import type { Comm, GroupComm } from './types.ts';

/**
 * Collectives and point-to-point transfers that only record their size; results are shaped
 * placeholders. A receive records the bytes of the shape it expects, in the activation size.
 */
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

  send(x: MetaTensor, to: number, group?: Group): void {
    const g = p2pGroup('send', this.rank, to, this.world, group);
    this.trace.push({ op: 'p2p', dir: 'send', group: g.name, peer: to, bytes: numel(x.shape) * x.elem });
  }

  recv(shape: readonly number[], from: number, group?: Group): MetaTensor {
    const g = p2pGroup('recv', this.rank, from, this.world, group);
    const out = this.ops.upload(new Float32Array(0), [...shape]);
    this.trace.push({ op: 'p2p', dir: 'recv', group: g.name, peer: from, bytes: numel(shape) * out.elem });
    return out;
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
