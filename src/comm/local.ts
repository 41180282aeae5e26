import type { Group } from '../parallel/groups.ts';
import type { CollectiveKind, CollectiveRecord } from '../ops/trace.ts';
import type { Ops } from '../ops/types.ts';
import { numel } from '../ops/types.ts';
import { type Comm, CommError, type GroupComm } from './types.ts';

/**
 * Collectives between worker threads of one process over shared memory.
 *
 *   data: P slots of `capacity` floats; rank r writes only its slot r
 *   sync: per group [arrived, generation] for a generation-counting barrier, then one abort flag
 *
 * A collective is: write my slot → barrier → read the members' slots → barrier. The second
 * barrier keeps a fast rank from overwriting its slot while a slow member still reads it.
 * Members sum in group order, so every member gets bit-identical results. If any rank fails it
 * raises the abort flag and every rank blocked in a barrier throws instead of waiting forever.
 */
export interface LocalCommShared {
  readonly world: number;
  readonly capacity: number;
  readonly groups: readonly (readonly number[])[];
  readonly data: SharedArrayBuffer;
  readonly sync: SharedArrayBuffer;
}

export function createLocalCommShared(world: number, groups: readonly (readonly number[])[], capacity = 1 << 22): LocalCommShared {
  return {
    world,
    capacity,
    groups,
    data: new SharedArrayBuffer(world * capacity * 4),
    sync: new SharedArrayBuffer((groups.length * 2 + 1) * 4),
  };
}

/** Raises the abort flag so every rank waiting in a collective gives up. */
export function abortLocalComm(shared: LocalCommShared): void {
  const sync = new Int32Array(shared.sync);
  Atomics.store(sync, shared.groups.length * 2, 1);
  for (let g = 0; g < shared.groups.length; g++) Atomics.notify(sync, 2 * g + 1);
}

export class LocalComm<T> implements Comm<T> {
  private readonly data: Float32Array;
  private readonly sync: Int32Array;
  private readonly abortAt: number;
  private readonly log: CollectiveRecord[] = [];

  constructor(
    readonly rank: number,
    private readonly shared: LocalCommShared,
    private readonly ops: Ops<T>,
  ) {
    this.data = new Float32Array(shared.data);
    this.sync = new Int32Array(shared.sync);
    this.abortAt = shared.groups.length * 2;
  }

  get world(): number {
    return this.shared.world;
  }

  drain(): CollectiveRecord[] {
    return this.log.splice(0, this.log.length);
  }

  group(g: Group): GroupComm<T> {
    const key = g.ranks.join(',');
    const id = this.shared.groups.findIndex((r) => r.join(',') === key);
    if (id < 0) throw new CommError(`group ${g.name} [${key}] was not registered with the communicator`);
    const index = g.ranks.indexOf(this.rank);
    if (index < 0) throw new CommError(`rank ${this.rank} is not a member of group ${g.name} [${key}]`);
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
      self.barrier(id, g.ranks.length);
      combine(host, out, rows, cols);
      self.barrier(id, g.ranks.length);
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

  private barrier(id: number, members: number): void {
    const arrived = 2 * id;
    const generation = arrived + 1;
    const gen = Atomics.load(this.sync, generation);
    if (Atomics.add(this.sync, arrived, 1) === members - 1) {
      Atomics.store(this.sync, arrived, 0);
      Atomics.add(this.sync, generation, 1);
      Atomics.notify(this.sync, generation);
      return;
    }
    while (Atomics.load(this.sync, generation) === gen) {
      if (Atomics.load(this.sync, this.abortAt) !== 0) {
        throw new CommError(`rank ${this.rank}: a collective was aborted because another rank failed`);
      }
      Atomics.wait(this.sync, generation, gen, 200);
    }
  }
}
