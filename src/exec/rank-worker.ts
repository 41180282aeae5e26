import { parentPort } from 'node:worker_threads';
import { abortLocalComm } from '../comm/local.ts';
import type { Comm } from '../comm/types.ts';
import { openWeights } from '../model/weight-spec.ts';
import { getStrategy } from '../strategies/registry.ts';
import type { Ops } from '../ops/types.ts';
import type { RankModel } from '../strategies/types.ts';
import { createRankBackend } from './backends.ts';
import type { FromRank, InitMessage, ToRank } from './messages.ts';

/**
 * One rank: a worker thread with its own tfjs-wasm instance, running its strategy's rank code
 * for each step the driver sends. A failure aborts the communicator so no peer waits forever.
 */
const port = parentPort;
if (!port) throw new Error('rank-worker.ts must run in a worker thread');

let rank: RankModel | undefined;
let comm: Comm<unknown> | undefined;
let ops: Ops<unknown, unknown> | undefined;
let init: InitMessage | undefined;

function reply(msg: FromRank): void {
  port!.postMessage(msg);
}

port.on('message', (msg: ToRank) => {
  void handle(msg).catch((e: unknown) => {
    if (init) abortLocalComm(init.comm);
    const err = e instanceof Error ? e : new Error(String(e));
    reply({ type: 'error', name: err.name, message: err.message });
  });
});

async function handle(msg: ToRank): Promise<void> {
  switch (msg.type) {
    case 'init': {
      // A borrowed pool re-initialises its threads for each deployment: free the last rank's weights.
      ops?.dispose?.();
      init = msg;
      const backend = await createRankBackend(msg.backend, msg.rank, msg.comm);
      ops = backend.ops;
      const weights = openWeights(msg.weights);
      const model = weights.model;
      comm = backend.comm;
      const strategy = getStrategy(msg.strategy);
      try {
        // Shards load while the rank is created; then the source's files and tensors go.
        rank = strategy.createRank({
          rank: msg.rank,
          ops: backend.ops,
          comm,
          model,
          weights,
          parallel: msg.parallel,
          kvBlocks: msg.kvBlocks,
          blockSize: msg.blockSize,
          order: msg.order,
        });
      } finally {
        weights.close();
      }
      const modes = strategy.modes(model, msg.parallel, msg.order);
      reply({ type: 'ready', kvHeads: Object.fromEntries(modes.map((m) => [m.id, rank!.kvHeads(m)])) });
      return;
    }
    case 'step': {
      const out = rank!.forward(msg.batch, msg.mode);
      reply({ type: 'done', ...out, comm: comm!.drain() });
      return;
    }
    case 'read-kv':
      reply({ type: 'kv', data: rank!.readKv() });
      return;
  }
}
