import * as assert from 'uvu/assert';
import { createLocalCommShared } from '../../src/comm/shared.ts';
import type { CudaDtype } from '../../src/ops/cuda.ts';
import { startWorker } from '../../src/util/worker.ts';

/** Where a test's collectives run: LocalComm over host memory, or CudaComm in a GPU dtype. */
export type CommBackend = 'local' | CudaDtype;

export type CollectiveResults = Record<'allReduce' | 'allGather' | 'allToAll' | 'reduceScatter', Float32Array>;

/** Rank r's input [rows, cols]: small integers, exact in bf16 and in any summation order. */
export function commInput(rank: number, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, (_, i) => ((rank + 1) * ((i % 13) - 6)) % 50);
}

export interface RankReply {
  readonly rank: number;
  readonly results?: CollectiveResults;
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * Runs the four collectives over `ranks` on one worker thread per rank (test/helpers/comm-rank.ts).
 * `failRank` makes that rank fail before its first collective and raise the abort flag.
 */
export async function runCollectiveRanks(world: number, ranks: number[], rows: number, cols: number, backend: CommBackend, failRank?: number): Promise<RankReply[]> {
  const shared = createLocalCommShared(world, [ranks], rows * cols * ranks.length);
  const entry = new URL('./comm-rank.ts', import.meta.url);
  const workers = Array.from({ length: world }, (_, rank) => startWorker(entry, { workerData: { rank, shared, backend, ranks, rows, cols, failRank } }));
  // Every worker is terminated however this ends: a rank that errors must not leave the others
  // waiting in a collective, keeping the test process alive after the failure.
  try {
    const replies = await Promise.all(
      workers.map((w) => new Promise<RankReply>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      })),
    );
    return replies.sort((a, b) => a.rank - b.rank);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The results of every rank, throwing if any rank failed. */
export async function runCollectives(world: number, ranks: number[], rows: number, cols: number, backend: CommBackend): Promise<CollectiveResults[]> {
  const replies = await runCollectiveRanks(world, ranks, rows, cols, backend);
  const failed = replies.find((r) => r.error);
  if (failed) throw new Error(`rank ${failed.rank}: ${failed.error!.name}: ${failed.error!.message}`);
  return replies.map((r) => r.results!);
}

function rowBlock(x: Float32Array, block: number, n: number): Float32Array {
  const len = x.length / n;
  return x.subarray(block * len, (block + 1) * len);
}

/** Checks every member's results against the row-block conventions of src/comm/types.ts, computed here. */
export function assertCollectives(results: readonly CollectiveResults[], ranks: readonly number[], rows: number, cols: number): void {
  const inputs = ranks.map((r) => commInput(r, rows, cols)); // in group order
  const n = ranks.length;
  const sum = inputs[0]!.map((_, e) => inputs.reduce((a, x) => a + x[e]!, 0));
  ranks.forEach((rank, index) => {
    const got = results[rank]!;
    assert.equal([...got.allReduce], [...sum], `rank ${rank}: allReduce`);
    assert.equal([...got.allGather], inputs.flatMap((x) => [...x]), `rank ${rank}: allGather`);
    assert.equal([...got.allToAll], inputs.flatMap((x) => [...rowBlock(x, index, n)]), `rank ${rank}: allToAll`);
    assert.equal([...got.reduceScatter], [...rowBlock(sum, index, n)], `rank ${rank}: reduceScatter`);
  });
}
