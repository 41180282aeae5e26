import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running the module at `entry`. tsx's loader does not reach worker threads
 * on Node 20, so a `.ts` entry is started from a bootstrap that registers tsx first; a `.js`
 * entry (a compiled build) starts directly.
 *
 * Both of tsx's hooks are registered, as `node --import tsx` does on the main thread: the ESM
 * hook alone leaves a `.ts` or `.js` file outside any `"type": "module"` package (a user's
 * policy module in their own folder) to Node's plain CommonJS loader, which cannot read it.
 */
export function startWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const esm = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const cjs = JSON.stringify(import.meta.resolve('tsx/cjs/api'));
  const boot = `Promise.all([import(${esm}), import(${cjs})]).then(([e, c]) => { e.register(); c.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
