import type { Group, GroupName } from '../parallel/groups.ts';
import type { CommRecord } from '../ops/trace.ts';

/**
 * Collectives over one process group, called by every member in the same order (SPMD).
 * Row-block conventions, for a group of n members and this member at `index`:
 *   allGather      [m, C]    → [n·m, C]   row block k came from member k
 *   allToAll       [n·m, C]  → [n·m, C]   row block k is sent to member k; row block k of
 *                                         the result came from member k
 *   reduceScatter  [n·m, C]  → [m, C]     the sum over members of row block `index`
 */
export interface GroupComm<T> {
  readonly name: GroupName;
  readonly ranks: readonly number[];
  /** This rank's position in `ranks`. */
  readonly index: number;
  allReduce(x: T): T;
  allGather(x: T): T;
  allToAll(x: T): T;
  reduceScatter(x: T): T;
}

export interface Comm<T> {
  readonly rank: number;
  readonly world: number;
  group(g: Group): GroupComm<T>;
  /**
   * Point-to-point, between two global ranks (not group indices), both members of `group`
   * (default: the world). `send` returns once the message is posted; a rank has at most one
   * message in flight, so a second send waits until the first was received. Messages from one
   * rank to another arrive in the order sent; `recv` names the shape it expects and throws if
   * the sender's message has another number of elements.
   */
  send(x: T, to: number, group?: Group): void;
  recv(shape: readonly number[], from: number, group?: Group): T;
  /** The collectives and point-to-point transfers this rank ran since the last call, oldest first. */
  drain(): CommRecord[];
}

export class CommError extends Error {
  override readonly name = 'CommError';
}
