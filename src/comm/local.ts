import type { Group } from '../parallel/groups.ts';
import type { CollectiveKind, CommRecord } from '../ops/trace.ts';
import type { Ops } from '../ops/types.ts';
import { numel } from '../ops/types.ts';
import { p2pGroup } from './p2p.ts';
import { GroupBarriers, type LocalCommShared, Mailboxes, locateGroup } from './shared.ts';
import { type Comm, CommError, type GroupComm } from './types.ts';

export { type LocalCommShared, abortLocalComm, createLocalCommShared } from './shared.ts';

/**
 * Collectives between worker threads of one process over shared memory (see shared.ts): each
 * rank copies its input to its host slot of `data`, and every member reads the slots it needs.
 * Members sum in group order, so every member gets bit-identical results. Point-to-point
 * messages go through the sender's outbox slot (Mailboxes in shared.ts).
 */
export class LocalComm<T> implements Comm<T> {
  private readonly data: Float32Array;
  private readonly outbox: Float32Array;
  private readonly barriers: GroupBarriers;
  private readonly mailboxes: Mailboxes;
  private readonly log: CommRecord[] = [];

  constructor(
    readonly rank: number,
    private readonly shared: LocalCommShared,
    private readonly ops: Ops<T>,
  ) {
    this.data = new Float32Array(shared.data);
    this.outbox = new Float32Array(shared.outbox);
    this.barriers = new GroupBarriers(shared, rank);
    this.mailboxes = new Mailboxes(shared, rank);
  }

  get world(): number {
    return this.shared.world;
  }

  drain(): CommRecord[] {
    return this.log.splice(0, this.log.length);
  }

  send(x: T, to: number, group?: Group): void {
    const g = p2pGroup('send', this.rank, to, this.world, group);
    const host = this.ops.download(x);
    if (host.length > this.shared.capacity) {
      throw new CommError(
        `send from rank ${this.rank} to rank ${to} on group ${g.name}: ${host.length} floats exceed the communicator's ` +
          `${this.shared.capacity}-float buffer; create the executor with a larger commCapacity`,
      );
    }
    this.log.push({ op: 'p2p', dir: 'send', group: g.name, peer: to, bytes: host.length * 4 });
    this.mailboxes.post(to, host.length, 0, () => this.outbox.set(host, this.rank * this.shared.capacity));
  }

  recv(shape: readonly number[], from: number, group?: Group): T {
    const g = p2pGroup('recv', this.rank, from, this.world, group);
    const elements = numel(shape);
    const host = this.mailboxes.take(from, { shape, elements, group: g.name }, () => this.outbox.slice(from * this.shared.capacity, from * this.shared.capacity + elements));
    this.log.push({ op: 'p2p', dir: 'recv', group: g.name, peer: from, bytes: elements * 4 });
    return this.ops.upload(host, [...shape]);
  }

  group(g: Group): GroupComm<T> {
    const { id, index } = locateGroup(this.shared, g, this.rank);
    const self = this;
    // A collective over one rank is the identity and moves nothing, so it is not recorded.
    const run = (kind: CollectiveKind, x: T, outShape: (rows: number, cols: number) => number[], combine: (src: Float32Array, out: Float32Array, rows: number, cols: number) => void): T => {
      if (g.ranks.length === 1) return x;
      const shape = self.ops.shape(x);
      const [rows, cols] = [shape[0]!, numel(shape) / shape[0]!];
      const host = self.ops.download(x);
      self.log.push({ op: 'collective', kind, group: g.name, size: g.ranks.length, bytes: host.length * 4 });
      const out = new Float32Array(numel(outShape(rows, cols)));
      self.write(host, kind, g.name);
      self.barriers.wait(id, g.ranks.length);
      combine(host, out, rows, cols);
      self.barriers.wait(id, g.ranks.length);
      return self.ops.upload(out, outShape(rows, cols));
    };
    const n = g.ranks.length;
    return {
      name: g.name,
      ranks: g.ranks,
      index,
      allReduce: (x) =>
        run('all_reduce', x, (r, c) => [r, c], (_src, out) => {
          for (const member of g.ranks) {
            const slot = this.slot(member, out.length);
            for (let e = 0; e < out.length; e++) out[e]! += slot[e]!;
          }
        }),
      allGather: (x) =>
        run('all_gather', x, (r, c) => [n * r, c], (src, out) => {
          g.ranks.forEach((member, k) => out.set(this.slot(member, src.length), k * src.length));
        }),
      allToAll: (x) =>
        run('all_to_all', x, (r, c) => [r, c], (src, out) => {
          const chunk = src.length / n;
          g.ranks.forEach((member, k) => out.set(this.slot(member, src.length).subarray(index * chunk, (index + 1) * chunk), k * chunk));
        }),
      reduceScatter: (x) =>
        run('reduce_scatter', x, (r, c) => [r / n, c], (src, out) => {
          const chunk = src.length / n;
          for (const member of g.ranks) {
            const part = this.slot(member, src.length).subarray(index * chunk, (index + 1) * chunk);
            for (let e = 0; e < chunk; e++) out[e]! += part[e]!;
          }
        }),
    };
  }

  private slot(rank: number, length: number): Float32Array {
    return this.data.subarray(rank * this.shared.capacity, rank * this.shared.capacity + length);
  }

  private write(host: Float32Array, kind: CollectiveKind, group: string): void {
    if (host.length > this.shared.capacity) {
      throw new CommError(
        `${kind} on group ${group}: ${host.length} floats exceed the communicator's ${this.shared.capacity}-float buffer; ` +
          'create the executor with a larger commCapacity',
      );
    }
    this.data.set(host, this.rank * this.shared.capacity);
  }
}
