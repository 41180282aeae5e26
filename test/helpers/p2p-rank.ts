import { parentPort, workerData } from 'node:worker_threads';
import { LocalComm } from '../../src/comm/local.ts';
import { type LocalCommShared, abortLocalComm } from '../../src/comm/shared.ts';
import type { Ops } from '../../src/ops/types.ts';
import { commInput } from './comm-run.ts';
import type { P2pStep } from './p2p-run.ts';

/** One rank of the point-to-point tests: runs its steps on a LocalComm and posts what it received. */
const { rank, shared, steps } = workerData as { rank: number; shared: LocalCommShared; steps: readonly P2pStep[] };

interface HostTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}
const hostOps = {
  upload: (data: Float32Array, shape: readonly number[]): HostTensor => ({ data, shape }),
  download: (x: HostTensor): Float32Array => x.data,
  shape: (x: HostTensor): readonly number[] => x.shape,
} as unknown as Ops<unknown>;

const comm = new LocalComm(rank, shared, hostOps);
const received: Float32Array[] = [];
try {
  for (const s of steps) {
    if (s.dir === 'send') comm.send(hostOps.upload(commInput(s.tag, s.rows, s.cols), [s.rows, s.cols]), s.peer, s.group);
    else received.push(hostOps.download(comm.recv([s.rows, s.cols], s.peer, s.group)));
  }
  parentPort!.postMessage({ rank, received, records: comm.drain() });
} catch (e) {
  const err = e instanceof Error ? e : new Error(String(e));
  abortLocalComm(shared); // so that no peer waits forever for this rank
  parentPort!.postMessage({ rank, received, records: comm.drain(), error: { name: err.name, message: err.message } });
}
