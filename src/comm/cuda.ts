import type { Group } from '../parallel/groups.ts';
import type { CudaOps, CudaTensor } from '../ops/cuda.ts';
import { elemBytes } from '../ops/cuda.ts';
import type { CudaDtype } from '../ops/cuda.ts';
import type { DeviceBuffer } from '../ops/cuda-addon.ts';
import type { CollectiveKind, CommRecord } from '../ops/trace.ts';
import { numel } from '../ops/types.ts';
import { p2pGroup } from './p2p.ts';
import { GroupBarriers, type LocalCommShared, Mailboxes, locateGroup, mailAddresses } from './shared.ts';
import { type Comm, CommError, type GroupComm } from './types.ts';

/**
 * Collectives between the ranks (worker threads) of one process on the cuda backend, with a
 * device-to-device data path. Ranks may share a GPU or not: device addresses are valid in every
 * thread of the process, and cudaMemcpyDefault copies between devices.
 *
 *   1. each member finishes its stream, then publishes [address, bytes] of its input tensor
 *      in `addresses` (shared.ts) — the input itself, no staging copy
 *   2. barrier
 *   3. each member copies what it needs from the members' inputs into its own buffers on its
 *      own stream (cudaMemcpyAsync), and for sums adds the copied blocks in group order with
 *      one kernel (sum_blocks), so every member gets bit-identical results
 *   4. each member finishes its stream (its reads are done), then barrier: only now may a
 *      member free or overwrite its input
 *
 * The barriers and the abort flag are LocalComm's (shared.ts).
 *
 * Point-to-point (Mailboxes in shared.ts): the sender copies its tensor into a staging buffer of
 * its own, finishes its stream and posts [address, bytes] of the staging buffer; the receiver
 * copies from that address on its stream and finishes it before freeing the sender's outbox.
 * The sender frees its staging buffer at its next send, once the outbox is free again (so a
 * send returns before the receiver has read, as on LocalComm).
 */
/** Element types by the code a message header carries. */
const DTYPES: readonly CudaDtype[] = ['float32', 'bf16'];

export class CudaComm implements Comm<CudaTensor> {
  private readonly addresses: BigInt64Array;
  private readonly barriers: GroupBarriers;
  private readonly mailboxes: Mailboxes;
  private readonly mail: BigInt64Array;
  private readonly log: CommRecord[] = [];
  /** The staging buffer of this rank's last posted message (freed once it was received). */
  private staged: DeviceBuffer | null = null;

  constructor(
    readonly rank: number,
    private readonly shared: LocalCommShared,
    private readonly ops: CudaOps,
  ) {
    this.addresses = new BigInt64Array(shared.addresses);
    this.barriers = new GroupBarriers(shared, rank);
    this.mailboxes = new Mailboxes(shared, rank);
    this.mail = mailAddresses(shared);
  }

  get world(): number {
    return this.shared.world;
  }

  drain(): CommRecord[] {
    return this.log.splice(0, this.log.length);
  }

  send(x: CudaTensor, to: number, group?: Group): void {
    const g = p2pGroup('send', this.rank, to, this.world, group);
    const bytes = x.bytes;
    this.log.push({ op: 'p2p', dir: 'send', group: g.name, peer: to, bytes });
    this.mailboxes.post(to, numel(x.shape), DTYPES.indexOf(x.dtype), () => {
      // The outbox is free: the receiver of the previous message has copied it.
      this.staged?.free();
      const staged = this.ops.ctx.alloc(bytes);
      this.ops.ctx.copyFromAddress(staged, 0, x.buf.address, bytes);
      this.ops.synchronize();
      this.staged = staged;
      this.mail[2 * this.rank] = staged.address;
      this.mail[2 * this.rank + 1] = BigInt(bytes);
    });
  }

  recv(shape: readonly number[], from: number, group?: Group): CudaTensor {
    const g = p2pGroup('recv', this.rank, from, this.world, group);
    const elements = numel(shape);
    const out = this.mailboxes.take(from, { shape, elements, group: g.name }, (m) => {
      const t = this.ops.empty(shape, DTYPES[m.dtype]!);
      this.ops.ctx.copyFromAddress(t.buf, 0, this.mail[2 * from]!, Number(this.mail[2 * from + 1]!));
      this.ops.synchronize();
      return t;
    });
    this.log.push({ op: 'p2p', dir: 'recv', group: g.name, peer: from, bytes: out.bytes });
    return out;
  }

  group(g: Group): GroupComm<CudaTensor> {
    const { id, index } = locateGroup(this.shared, g, this.rank);
    const n = g.ranks.length;
    const ctx = this.ops.ctx;

    // A collective over one rank is the identity and moves nothing, so it is not recorded.
    const run = (kind: CollectiveKind, x: CudaTensor, gather: (inputs: readonly bigint[], bytes: number) => CudaTensor): CudaTensor => {
      if (n === 1) return x;
      const bytes = x.bytes;
      if (kind !== 'all_reduce' && kind !== 'all_gather' && x.shape[0]! % n !== 0) {
        throw new CommError(`${kind} on group ${g.name}: ${x.shape[0]} rows do not split into ${n} blocks`);
      }
      this.log.push({ op: 'collective', kind, group: g.name, size: n, bytes });
      this.ops.synchronize();
      this.addresses[2 * this.rank] = x.buf.address;
      this.addresses[2 * this.rank + 1] = BigInt(bytes);
      this.barriers.wait(id, n);
      const inputs = g.ranks.map((member) => {
        const size = Number(this.addresses[2 * member + 1]!);
        if (size !== bytes) throw new CommError(`${kind} on group ${g.name}: rank ${member} sent ${size} bytes, rank ${this.rank} ${bytes}`);
        return this.addresses[2 * member]!;
      });
      const out = gather(inputs, bytes);
      this.ops.synchronize();
      this.barriers.wait(id, n);
      return out;
    };

    /** Σ over members of the byte range [offset, offset + bytes) of their inputs, in group order. */
    const sum = (x: CudaTensor, inputs: readonly bigint[], offset: number, bytes: number, shape: number[]): CudaTensor => {
      const scratch = ctx.alloc(n * bytes);
      inputs.forEach((address, k) => ctx.copyFromAddress(scratch, k * bytes, address + BigInt(offset), bytes));
      const out = this.ops.empty(shape, x.dtype);
      ctx.sumBlocks(x.dtype === 'float32' ? 0 : 1, out.buf, scratch, n, bytes / elemBytes(x.dtype));
      scratch.free();
      return out;
    };

    const rowsOf = (x: CudaTensor, rows: number): number[] => [rows, numel(x.shape) / x.shape[0]!];
    return {
      name: g.name,
      ranks: g.ranks,
      index,
      allReduce: (x) => run('all_reduce', x, (inputs, bytes) => sum(x, inputs, 0, bytes, [...x.shape])),
      allGather: (x) =>
        run('all_gather', x, (inputs, bytes) => {
          const out = this.ops.empty(rowsOf(x, n * x.shape[0]!), x.dtype);
          inputs.forEach((address, k) => ctx.copyFromAddress(out.buf, k * bytes, address, bytes));
          return out;
        }),
      allToAll: (x) =>
        run('all_to_all', x, (inputs, bytes) => {
          const chunk = bytes / n;
          const out = this.ops.empty(x.shape, x.dtype);
          inputs.forEach((address, k) => ctx.copyFromAddress(out.buf, k * chunk, address + BigInt(index * chunk), chunk));
          return out;
        }),
      reduceScatter: (x) =>
        run('reduce_scatter', x, (inputs, bytes) => sum(x, inputs, index * (bytes / n), bytes / n, rowsOf(x, x.shape[0]! / n))),
    };
  }
}

