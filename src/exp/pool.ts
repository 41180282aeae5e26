import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker.ts';

/**
 * A fixed number of worker threads (started with src/util/worker.ts) running jobs from a
 * queue, one job per worker at a time.
 *
 * Protocol with the worker module: it receives `{ id, input }` and answers `{ id, output }`,
 * `{ id, error: { name, message, stack } }`, or any number of `{ id, progress }` before that.
 */
export type ToWorker<I> = { readonly id: number; readonly input: I };
export type FromWorker<O, P> =
  | { readonly id: number; readonly output: O }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly stack?: string } }
  | { readonly id: number; readonly progress: P };

/** A job that failed in its worker; `name` and `message` are the original error's. */
export class JobError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly workerStack?: string,
  ) {
    super(message);
  }
}

interface Job<I, O, P> {
  readonly id: number;
  readonly input: I;
  readonly resolve: (o: O) => void;
  readonly reject: (e: Error) => void;
  readonly events: JobEvents<P>;
}

export interface JobEvents<P> {
  /** The job was handed to a worker. */
  readonly onStart?: () => void;
  readonly onProgress?: (p: P) => void;
}

export class WorkerPool<I, O, P = never> {
  private readonly queue: Job<I, O, P>[] = [];
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job<I, O, P>>();
  private nextId = 0;
  private closed = false;

  constructor(entry: URL, size: number) {
    for (let k = 0; k < size; k++) this.idle.push(this.spawn(entry));
  }

  /** Queues a job; resolves with the worker's output. */
  run(input: I, events: JobEvents<P> = {}): Promise<O> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject, events });
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const stopped = new Error('the run was stopped');
    for (const job of this.queue.splice(0)) job.reject(stopped);
    for (const job of this.busy.values()) job.reject(stopped);
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }

  private spawn(entry: URL): Worker {
    const w = startWorker(entry);
    w.on('message', (m: FromWorker<O, P>) => this.receive(w, m));
    w.on('error', (e) => this.fail(w, e));
    w.on('exit', (code) => {
      if (!this.closed) this.fail(w, new Error(`worker exited with code ${code}`));
    });
    return w;
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      job.events.onStart?.();
      w.postMessage({ id: job.id, input: job.input } satisfies ToWorker<I>);
    }
  }

  private receive(w: Worker, m: FromWorker<O, P>): void {
    const job = this.busy.get(w);
    if (!job || job.id !== m.id) return;
    if ('progress' in m) {
      job.events.onProgress?.(m.progress);
      return;
    }
    this.busy.delete(w);
    this.idle.push(w);
    if ('output' in m) job.resolve(m.output);
    else job.reject(new JobError(m.error.name, m.error.message, m.error.stack));
    this.dispatch();
  }

  /** A worker died (not a job's own error): fail its job; the pool shrinks by one. */
  private fail(w: Worker, e: Error): void {
    const job = this.busy.get(w);
    this.busy.delete(w);
    job?.reject(new Error(`worker failed: ${e.message}`));
    if (this.idle.length === 0 && this.busy.size === 0) for (const j of this.queue.splice(0)) j.reject(new Error(`no workers left: ${e.message}`));
  }
}
