import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker.ts';
import { ExecutorError } from './types.ts';
import type { FromRank, ToRank } from './messages.ts';

/**
 * P worker threads, one per rank, each answering its messages in order. An executor makes its
 * own, or borrows one (ExecutorOptions.pool) that re-initialises the same threads for each
 * deployment of P ranks: starting a rank (a thread, tsx, tfjs-wasm) costs far more than a step
 * on a tiny model, so a test of many deployments keeps one pool per world size.
 */
export class RankPool {
  private readonly workers: Worker[];
  private readonly pending: { resolve: (m: FromRank) => void; reject: (e: Error) => void }[][];
  private closed = false;
  /** Why a worker died; a pool with a dead worker answers every later request with it. */
  private dead: Error | null = null;

  constructor(readonly size: number) {
    const self = new URL(import.meta.url);
    const entry = new URL(`./rank-worker${extname(fileURLToPath(self))}`, self);
    this.pending = Array.from({ length: size }, () => []);
    this.workers = Array.from({ length: size }, (_, r) => {
      const w = startWorker(entry);
      w.on('message', (m: FromRank) => this.pending[r]!.shift()?.resolve(m));
      w.on('error', (e) => this.failAll(r, e));
      w.on('exit', (code) => {
        if (!this.closed) this.failAll(r, new Error(`exited with code ${code}`));
      });
      return w;
    });
  }

  /** Sends one message to rank r; resolves with its reply (an 'error' reply rejects). */
  request(r: number, msg: ToRank): Promise<FromRank> {
    if (this.closed) return Promise.reject(new ExecutorError('the executor is closed'));
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending[r]!.push({
        resolve: (m) => (m.type === 'error' ? reject(new ExecutorError(`rank ${r}: ${m.name}: ${m.message}`)) : resolve(m)),
        reject,
      });
      this.workers[r]!.postMessage(msg);
    });
  }

  /** Sends msgs[r] to every rank r; resolves when all replied, rejects with the root cause. */
  async all(msgs: (r: number) => ToRank): Promise<FromRank[]> {
    const results = await Promise.allSettled(this.workers.map((_, r) => this.request(r, msgs(r))));
    const failures = results.flatMap((x) => (x.status === 'rejected' ? [x.reason as Error] : []));
    if (failures.length > 0) {
      // Ranks aborted by a peer's failure report that; name the root cause first.
      const root = failures.find((e) => !/aborted because another rank failed/.test(e.message)) ?? failures[0]!;
      throw root;
    }
    return results.map((x) => (x as PromiseFulfilledResult<FromRank>).value);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(r: number, e: Error): void {
    const failed = new ExecutorError(`rank ${r} worker failed: ${e.message}`);
    this.dead ??= failed;
    for (const p of this.pending[r]!.splice(0)) p.reject(failed);
  }
}
