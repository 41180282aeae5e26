import type { Group } from '../parallel/groups.ts';
import type { CudaOps, CudaTensor } from '../ops/cuda.ts';
import { elemBytes } from '../ops/cuda.ts';
import type { CollectiveKind, CollectiveRecord } from '../ops/trace.ts';
import { numel } from '../ops/types.ts';
import { GroupBarriers, type LocalCommShared, locateGroup } from './shared.ts';
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
 */
export class CudaComm implements Comm<CudaTensor> {
  private readonly addresses: BigInt64Array;
  private readonly barriers: GroupBarriers;
  private readonly log: CollectiveRecord[] = [];

  constructor(
    readonly rank: number,
    private readonly shared: LocalCommShared,
    private readonly ops: CudaOps,
  ) {
    this.addresses = new BigInt64Array(shared.addresses);
    this.barriers = new GroupBarriers(shared, rank);
  }

  get world(): number {
    return this.shared.world;
  }

  drain(): CollectiveRecord[] {
    return this.log.splice(0, this.log.length);
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

