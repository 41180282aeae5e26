import { Worker } from 'node:worker_threads';
import { createLocalCommShared } from '../../src/comm/shared.ts';
import type { CudaDtype } from '../../src/ops/cuda.ts';

export type CollectiveResults = Record<'allReduce' | 'allGather' | 'allToAll' | 'reduceScatter', Float32Array>;

/** Rank r's input [rows, cols]: small integers, exact in bf16 and in any summation order. */
export function commInput(rank: number, rows: number, cols: number): Float32Array {
  return Float32Array.from({ length: rows * cols }, (_, i) => ((rank + 1) * ((i % 13) - 6)) % 50);
}

/** Runs the collectives on one worker thread per rank (test/helpers/cuda-comm-rank.ts). */
export async function runCollectives(world: number, ranks: number[], rows: number, cols: number, dtype: CudaDtype): Promise<CollectiveResults[]> {
  const shared = createLocalCommShared(world, [ranks], 16);
  const entry = new URL('./cuda-comm-rank.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  const replies = await Promise.all(
    Array.from({ length: world }, (_, rank) => {
      const w = new Worker(boot, { eval: true, workerData: { rank, shared, dtype, ranks, rows, cols } });
      return new Promise<{ rank: number; results?: CollectiveResults; error?: string }>((resolve, reject) => {
        w.once('message', (m) => {
          void w.terminate();
          resolve(m);
        });
        w.once('error', reject);
      });
    }),
  );
  const failed = replies.find((r) => r.error);
  if (failed) throw new Error(`rank ${failed.rank}: ${failed.error}`);
  return replies.sort((a, b) => a.rank - b.rank).map((r) => r.results!);
}
