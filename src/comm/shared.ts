import type { Group } from '../parallel/groups.ts';
import { CommError } from './types.ts';

/**
 * The shared memory of the communicators between worker threads of one process, and the
 * barrier both of them synchronise with (LocalComm moves host data, CudaComm device data).
 *
 *   data:      P slots of `capacity` floats; rank r writes only its slot r (LocalComm)
 *   addresses: per rank [device address, bytes] of its collective input (CudaComm)
 *   sync:      per group [arrived, generation] for a generation-counting barrier, then one abort flag
 *   outbox:    P slots of `capacity` floats: rank r's point-to-point message in flight (LocalComm)
 *   mail:      per rank [state, to, elements, dtype] of its outbox, then per rank [device address,
 *              bytes] of its staged message (CudaComm)
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
  readonly outbox: SharedArrayBuffer;
  readonly mail: SharedArrayBuffer;
}

export function createLocalCommShared(world: number, groups: readonly (readonly number[])[], capacity = 1 << 22): LocalCommShared {
  return {
    world,
    capacity,
    groups,
    data: new SharedArrayBuffer(world * capacity * 4),
    addresses: new SharedArrayBuffer(world * 2 * 8),
    sync: new SharedArrayBuffer((groups.length * 2 + 1) * 4),
    // Pages of a SharedArrayBuffer that nobody writes are never committed, so an outbox per rank
    // costs memory only for the strategies that send.
    outbox: new SharedArrayBuffer(world * capacity * 4),
    mail: new SharedArrayBuffer(world * MAIL_INTS * 4 + world * 2 * 8),
  };
}

/** Raises the abort flag so every rank waiting in a collective gives up. */
export function abortLocalComm(shared: LocalCommShared): void {
  const sync = new Int32Array(shared.sync);
  Atomics.store(sync, shared.groups.length * 2, 1);
  for (let g = 0; g < shared.groups.length; g++) Atomics.notify(sync, 2 * g + 1);
  const mail = new Int32Array(shared.mail, 0, shared.world * MAIL_INTS);
  for (let r = 0; r < shared.world; r++) Atomics.notify(mail, r * MAIL_INTS);
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

/** Int32 fields of one rank's mail header: [state, to, elements, dtype]. */
const MAIL_INTS = 4;
const EMPTY = 0;
const FULL = 1;

/** The header of a posted point-to-point message. */
export interface Posted {
  readonly elements: number;
  /** The sender's element type (0 float32, 1 bfloat16; LocalComm always 0). */
  readonly dtype: number;
}

/**
 * Point-to-point mailboxes: each rank has one outbox holding at most one message in flight.
 *
 *   send: wait until my outbox is empty → write the payload (outbox slot or staged device
 *         buffer) → header [FULL, to, elements, dtype] → notify
 *   recv: wait until the sender's outbox is FULL and addressed to me → read the payload →
 *         header EMPTY → notify
 *
 * A send returns as soon as its message is posted (it does not wait for the receiver), so a ring
 * where every rank sends before it receives does not deadlock; a second send from the same rank
 * waits until the first was received. Messages between two ranks arrive in the order sent. Waits
 * give up when another rank raised the abort flag (abortLocalComm).
 */
export class Mailboxes {
  private readonly mail: Int32Array;
  private readonly sync: Int32Array;
  private readonly abortAt: number;

  constructor(
    shared: LocalCommShared,
    private readonly rank: number,
  ) {
    this.mail = new Int32Array(shared.mail, 0, shared.world * MAIL_INTS);
    this.sync = new Int32Array(shared.sync);
    this.abortAt = shared.groups.length * 2;
  }

  /** Waits until this rank's outbox is free, writes the payload with `write`, then posts it to `to`. */
  post(to: number, elements: number, dtype: number, write: () => void): void {
    const at = this.rank * MAIL_INTS;
    this.waitWhile(at, FULL, `its previous message (to rank ${Atomics.load(this.mail, at + 1)}) to be received`);
    write();
    this.mail[at + 1] = to;
    this.mail[at + 2] = elements;
    this.mail[at + 3] = dtype;
    Atomics.store(this.mail, at, FULL);
    Atomics.notify(this.mail, at);
  }

  /**
   * Waits for a message from `from` to this rank, checks it holds the `expect`ed elements, hands
   * its header to `read`, then frees the sender's outbox.
   */
  take<R>(from: number, expect: { readonly shape: readonly number[]; readonly elements: number; readonly group: string }, read: (m: Posted) => R): R {
    const at = from * MAIL_INTS;
    // The outbox may hold a message to another rank: then wait for it to change and look again.
    for (;;) {
      const state = Atomics.load(this.mail, at);
      if (state === FULL && this.mail[at + 1] === this.rank) break;
      this.checkAbort(`a message from rank ${from}`);
      Atomics.wait(this.mail, at, state, 200);
    }
    const sent = this.mail[at + 2]!;
    if (sent !== expect.elements) {
      throw new CommError(`recv on rank ${this.rank} from rank ${from} on group ${expect.group}: expected [${expect.shape.join(', ')}] (${expect.elements} elements), rank ${from} sent ${sent}`);
    }
    const out = read({ elements: sent, dtype: this.mail[at + 3]! });
    Atomics.store(this.mail, at, EMPTY);
    Atomics.notify(this.mail, at);
    return out;
  }

  private waitWhile(at: number, state: number, what: string): void {
    while (Atomics.load(this.mail, at) === state) {
      this.checkAbort(what);
      Atomics.wait(this.mail, at, state, 200);
    }
  }

  private checkAbort(what: string): void {
    if (Atomics.load(this.sync, this.abortAt) !== 0) {
      throw new CommError(`rank ${this.rank}: waiting for ${what} was aborted because another rank failed`);
    }
  }
}

/** The [device address, bytes] slots of each rank's staged point-to-point message (CudaComm). */
export function mailAddresses(shared: LocalCommShared): BigInt64Array {
  return new BigInt64Array(shared.mail, shared.world * MAIL_INTS * 4, shared.world * 2);
}
