import { parentPort, workerData } from 'node:worker_threads';
import { LocalComm } from '../../src/comm/local.ts';
import { type LocalCommShared, abortLocalComm } from '../../src/comm/shared.ts';
import type { Comm } from '../../src/comm/types.ts';
import type { Ops } from '../../src/ops/types.ts';
import { type CommBackend, commInput } from './comm-run.ts';
import type { P2pStep } from './p2p-run.ts';
import { hostOps } from './host-ops.ts';

/** One rank of the point-to-point tests: runs its steps on a LocalComm (or CudaComm) and posts what it received. */
const { rank, shared, steps, backend } = workerData as { rank: number; shared: LocalCommShared; steps: readonly P2pStep[]; backend: CommBackend };


let ops = hostOps;
let comm: Comm<unknown> = new LocalComm(rank, shared, hostOps);
if (backend !== 'local') {
  // Loaded only for GPU runs.
  const [{ createCudaOps }, { CudaComm }] = await Promise.all([import('../../src/ops/cuda.ts'), import('../../src/comm/cuda.ts')]);
  const cuda = createCudaOps({ dtype: backend, poison: true });
  ops = cuda as unknown as Ops<unknown>;
  comm = new CudaComm(rank, shared, cuda) as unknown as Comm<unknown>;
}
const received: Float32Array[] = [];
try {
  for (const s of steps) {
    if (s.dir === 'send') comm.send(ops.upload(commInput(s.tag, s.rows, s.cols), [s.rows, s.cols]), s.peer, s.group);
    else received.push(ops.download(comm.recv([s.rows, s.cols], s.peer, s.group)));
  }
  parentPort!.postMessage({ rank, received, records: comm.drain() });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  abortLocalComm(shared); // so that no peer waits forever for this rank
  parentPort!.postMessage({ rank, received, records: comm.drain(), error: { name: err.name, message: err.message } });
}
