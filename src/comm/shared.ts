import type { Group } from '../parallel/groups.ts';
import { CommError } from './types.ts';

/**
 * The shared memory of the communicators between worker threads of one process, and the
 * barrier both of them synchronise with (LocalComm moves host data, CudaComm device data).
 *
 *   data:      P slots of `capacity` floats; rank r writes only its slot r (LocalComm)
 *   addresses: per rank [device address, bytes] of its collective input (CudaComm)
 *   sync:      per group [arrived, generation] for a generation-counting barrier, then one abort flag
 *
 * A collective is: publish my input → barrier → read the members' inputs → barrier. The second
 * barrier keeps a fast rank from overwriting (or freeing) its input while a slow member still
 * reads it. If any rank fails it raises the abort flag and every rank blocked in a barrier
 * throws instead of waiting forever.
 */
export interface LocalCommShared {
  readonly world: number;
  readonly capacity: number;
  readonly groups: readonly (readonly number[])[];
  readonly data: SharedArrayBuffer;
  readonly addresses: SharedArrayBuffer;
  readonly sync: SharedArrayBuffer;
}

export function createLocalCommShared(world: number, groups: readonly (readonly number[])[], capacity = 1 << 22): LocalCommShared {
  return {
    world,
    capacity,
    groups,
    data: new SharedArrayBuffer(world * capacity * 4),
    addresses: new SharedArrayBuffer(world * 2 * 8),
    sync: new SharedArrayBuffer((groups.length * 2 + 1) * 4),
  };
}

/** Raises the abort flag so every rank waiting in a collective gives up. */
export function abortLocalComm(shared: LocalCommShared): void {
  const sync = new Int32Array(shared.sync);
  Atomics.store(sync, shared.groups.length * 2, 1);
  for (let g = 0; g < shared.groups.length; g++) Atomics.notify(sync, 2 * g + 1);
}

/** Where a group lives in the shared memory: its barrier id and this rank's index in it. */
export function locateGroup(shared: LocalCommShared, g: Group, rank: number): { id: number; index: number } {
  const key = g.ranks.join(',');
  const id = shared.groups.findIndex((r) => r.join(',') === key);
  if (id < 0) throw new CommError(`group ${g.name} [${key}] was not registered with the communicator`);
  const index = g.ranks.indexOf(rank);
  if (index < 0) throw new CommError(`rank ${rank} is not a member of group ${g.name} [${key}]`);
  return { id, index };
}

/** The generation-counting barriers of one rank, one per registered group. */
export class GroupBarriers {
  private readonly sync: Int32Array;
  private readonly abortAt: number;

  constructor(
    shared: LocalCommShared,
    private readonly rank: number,
  ) {
    this.sync = new Int32Array(shared.sync);
    this.abortAt = shared.groups.length * 2;
  }

  /** Blocks until all `members` of group `id` arrived; throws if another rank aborted. */
  wait(id: number, members: number): void {
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
