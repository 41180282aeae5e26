import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The lock of a results directory: `run.lock`, holding the pid and host of the process writing
 * it. A second run (a `--resume` started while the first still runs, a merge or report into the
 * same directory) is refused naming that process; a lock whose process is gone (killed with
 * `kill -9`, the machine rebooted) is stale and taken over. Created with O_EXCL, so of two
 * processes racing for a free directory exactly one wins.
 *
 * On another host the pid cannot be checked: such a lock is never taken over (the message says
 * how to remove it). Two runs of one process are refused like any other two.
 */
export const LOCK_FILE = 'run.lock';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
  readonly command: string;
}

export class DirLockedError extends Error {
  override readonly name = 'DirLockedError';
  constructor(
    message: string,
    readonly holder: LockHolder,
  ) {
    super(message);
  }
}

/** Whether process `pid` of this host is running (EPERM: it is, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined; // being written, or a torn write: treated as stale below only if still so
  }
}

/** Lock files this process holds, removed when it exits (also by `process.exit` after a second Ctrl-C). */
const held = new Set<string>();

function removeOwn(file: string): void {
  if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
}

function releaseAll(): void {
  for (const file of held) removeOwn(file);
  held.clear();
}

function release(file: string): void {
  if (!held.delete(file)) return;
  removeOwn(file);
  if (held.size === 0) process.off('exit', releaseAll);
}

/**
 * Locks `dir` (which must exist) for this process; returns the release function. Throws
 * DirLockedError naming the holder when another live process holds it. `onTakeover` hears of
 * a stale lock taken over.
 */
export function lockDir(dir: string, onTakeover: (stale: LockHolder) => void = () => {}): () => void {
  const file = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: process.argv.slice(1).join(' ') };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      if (held.size === 0) process.on('exit', releaseAll);
      held.add(file);
      return () => release(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw e;
    }
    const holder = readHolder(file);
    if (holder === undefined) {
      // Unreadable: its writer may be between open and write; look again before calling it torn.
      if (attempt < 2) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      else rmSync(file, { force: true });
      continue;
    }
    if (holder.host !== me.host) {
      throw new DirLockedError(`${dir} is locked by process ${holder.pid} on host ${holder.host} (since ${holder.since}: ${holder.command}); if that run is no longer running, delete ${file}`, holder);
    }
    if (holder.pid === process.pid || processAlive(holder.pid)) {
      throw new DirLockedError(`${dir} is being written by process ${holder.pid} (since ${holder.since}: ${holder.command}); wait for it to finish, or stop it (kill ${holder.pid}) and run again`, holder);
    }
    // Removed only if still that stale holder's: another process may have taken it over meanwhile.
    const now = readHolder(file);
    if (now?.pid === holder.pid && now.since === holder.since) {
      onTakeover(holder);
      rmSync(file, { force: true });
    }
  }
}

/** The holder named in `dir`'s lock file, if any (for messages and tests). */
export function lockHolder(dir: string): LockHolder | undefined {
  const file = join(dir, LOCK_FILE);
  return existsSync(file) ? readHolder(file) : undefined;
}
