import { parentPort, workerData } from 'node:worker_threads';
import { CudaComm } from '../../src/comm/cuda.ts';
import type { LocalCommShared } from '../../src/comm/shared.ts';
import { type CudaDtype, createCudaOps } from '../../src/ops/cuda.ts';
import { commInput } from './cuda-comm.ts';

/** One rank of test/gpu-comm.test.ts: runs the four collectives and posts their results. */
const { rank, shared, dtype, ranks, rows, cols } = workerData as {
  rank: number;
  shared: LocalCommShared;
  dtype: CudaDtype;
  ranks: number[];
  rows: number;
  cols: number;
};
try {
  const ops = createCudaOps({ dtype, poison: true });
  const group = new CudaComm(rank, shared, ops).group({ name: 'world', ranks });
  const results = ops.scope(() => {
    const x = ops.upload(commInput(rank, rows, cols), [rows, cols]);
    return {
      allReduce: ops.download(group.allReduce(x)),
      allGather: ops.download(group.allGather(x)),
      allToAll: ops.download(group.allToAll(x)),
      reduceScatter: ops.download(group.reduceScatter(x)),
    };
  });
  parentPort!.postMessage({ rank, results });
} catch (e) {
  parentPort!.postMessage({ rank, error: String((e as Error).stack ?? e) });
}
