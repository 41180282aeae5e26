import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker thread running the module at `entry`. tsx's loader does not reach worker threads,
 * so a `.ts` entry is started from a bootstrap that registers tsx first; a `.js` entry (a
 * compiled build) starts directly.
 */
export function startWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${tsx}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
