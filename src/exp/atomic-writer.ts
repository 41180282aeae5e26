import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { TMP_SUFFIX } from './atomic.ts';

/**
 * A file written piece by piece in bounded memory, atomically: text is buffered (up to
 * `flushBytes`), appended to a temporary `*.partial` file beside the target, and only
 * `commit()` renames it into place. A run killed midway leaves a `*.partial` file, never a
 * truncated target (RunDir.removePartials deletes those on resume).
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number | null;
  private chunks: string[] = [];
  private buffered = 0;

  constructor(
    readonly path: string,
    private readonly flushBytes = 1 << 20,
  ) {
    this.tmp = `${path}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`;
    this.fd = openSync(this.tmp, 'w');
  }

  write(text: string): void {
    this.chunks.push(text);
    this.buffered += text.length;
    if (this.buffered >= this.flushBytes) this.flush();
  }

  /** Flushes, syncs and renames the file into place. */
  commit(): void {
    const fd = this.open();
    try {
      this.flush();
      fsyncSync(fd);
    } catch (e) {
      this.abort();
      throw e;
    }
    closeSync(fd);
    this.fd = null;
    renameSync(this.tmp, this.path);
  }

  /** Drops the temporary file (after a failure); the target is left as it was. */
  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    writeSync(this.open(), this.chunks.join(''));
    this.chunks = [];
    this.buffered = 0;
  }

  private open(): number {
    if (this.fd === null) throw new Error(`${this.path}: already committed or aborted`);
    return this.fd;
  }
}
