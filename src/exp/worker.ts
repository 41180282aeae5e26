import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './pool.ts';
import type { UnitOutput, UnitProgress } from './run-point.ts';
import { runAnyUnit } from './search/candidate.ts';
import type { UnitInput } from './unit.ts';

/** Worker-thread entry of the experiment pool: runs one unit per message (see pool.ts). */
const port = parentPort;
if (!port) throw new Error('src/exp/worker.ts runs in a worker thread of the experiment pool');

port.on('message', async ({ id, input }: ToWorker<UnitInput>) => {
  const send = (m: FromWorker<UnitOutput, UnitProgress>): void => port.postMessage(m);
  try {
    const output = await runAnyUnit(input, (progress) => send({ id, progress }));
    send({ id, output });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    send({ id, error: { name: err.name, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) } });
  }
});
