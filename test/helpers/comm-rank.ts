import { parentPort, workerData } from 'node:worker_threads';
import { LocalComm } from '../../src/comm/local.ts';
import { type LocalCommShared, abortLocalComm } from '../../src/comm/shared.ts';
import type { Comm } from '../../src/comm/types.ts';
import type { Ops } from '../../src/ops/types.ts';
import { type CommBackend, commInput } from './comm-run.ts';
import { hostOps } from './host-ops.ts';

/** One rank of the collective tests: runs the four collectives over the group and posts their results. */
const { rank, shared, backend, ranks, rows, cols, failRank } = workerData as {
  rank: number;
  shared: LocalCommShared;
  backend: CommBackend;
  ranks: number[];
  rows: number;
  cols: number;
  failRank?: number;
};


try {
  let ops: Ops<unknown>;
  let comm: Comm<unknown>;
  if (backend === 'local') {
    ops = hostOps;
    comm = new LocalComm(rank, shared, ops);
  } else {
    // Loaded only for GPU runs.
    const [{ createCudaOps }, { CudaComm }] = await Promise.all([import('../../src/ops/cuda.ts'), import('../../src/comm/cuda.ts')]);
    const cuda = createCudaOps({ dtype: backend, poison: true });
    ops = cuda as unknown as Ops<unknown>;
    comm = new CudaComm(rank, shared, cuda) as unknown as Comm<unknown>;
  }
  if (rank === failRank) {
    abortLocalComm(shared);
    throw new Error('this rank failed on purpose');
  }
  const group = comm.group({ name: 'world', ranks });
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
  const err = e instanceof Error ? e : new Error(String(e));
  parentPort!.postMessage({ rank, error: { name: err.name, message: err.message } });
}
