import { createLocalCommShared } from '../../src/comm/shared.ts';
import type { CommRecord } from '../../src/ops/trace.ts';
import type { Group } from '../../src/parallel/groups.ts';
import { startWorker } from '../../src/util/worker.ts';
import type { CommBackend } from './comm-run.ts';

/**
 * One point-to-point call of a rank in a test script: a send of commInput(tag, rows, cols) to
 * `peer`, or a receive of a [rows, cols] tensor from `peer` (`tag` then names what should arrive).
 */
export interface P2pStep {
  readonly dir: 'send' | 'recv';
  readonly peer: number;
  readonly rows: number;
  readonly cols: number;
  readonly tag: number;
  readonly group?: Group;
}

export interface P2pReply {
  readonly rank: number;
  readonly received: Float32Array[];
  readonly records: CommRecord[];
  readonly error?: { readonly name: string; readonly message: string };
}

/** Runs each rank's steps on its own worker thread over one LocalComm; replies by rank. */
export async function runP2p(world: number, steps: readonly (readonly P2pStep[])[], capacity = 1024, backend: CommBackend = 'local'): Promise<P2pReply[]> {
  const shared = createLocalCommShared(world, [], capacity);
  const entry = new URL('./p2p-rank.ts', import.meta.url);
  const replies = await Promise.all(
    steps.map((own, rank) => {
      const w = startWorker(entry, { workerData: { rank, shared, steps: own, backend } });
      return new Promise<P2pReply>((resolve, reject) => {
        w.once('message', (m: P2pReply) => {
          void w.terminate();
          resolve(m);
        });
        w.once('error', reject);
      });
    }),
  );
  return replies.sort((a, b) => a.rank - b.rank);
}
