import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import type { Timeline } from './unit.ts';

/** start (float64 s), scheduled tokens (uint32), ran the marked mode (uint8). */
const RECORD = 13;

/**
 * Engine iterations (all replicas) of a unit, binned over simulated time into a Timeline once
 * the unit ends (bin width = last iteration start / bins, so the bins are known only then).
 * The first 65,536 iterations stay in memory; beyond, records are appended to `spillFile`
 * (13 bytes each) and read back in one pass, so memory stays fixed however long the trace.
 * `marked` is the mode whose share of iterations the report shows (the switching block's, e.g.
 * Shift's full-TP shift model), null for a strategy that does not switch.
 */
export class IterationLog {
  private readonly buf: Buffer;
  private used = 0;
  private fd: number | null = null;
  private end = 0;

  constructor(
    private readonly marked: string | null,
    private readonly spillFile: string,
    capacity = 1 << 16,
  ) {
    this.buf = Buffer.alloc(capacity * RECORD);
  }

  add(start: number, tokens: number, mode: string): void {
    if (this.used === this.buf.length) this.spill();
    this.buf.writeDoubleLE(start, this.used);
    this.buf.writeUInt32LE(tokens, this.used + 8);
    this.buf.writeUInt8(mode === this.marked ? 1 : 0, this.used + 12);
    this.used += RECORD;
    if (start > this.end) this.end = start;
  }

  /** The timeline; removes the spill file. */
  bin(bins: number): Timeline {
    const width = this.end > 0 ? this.end / bins : 1;
    const count = Array<number>(bins).fill(0);
    const tokens = Array<number>(bins).fill(0);
    const tp = Array<number>(bins).fill(0);
    this.forEachRecord((start, n, full) => {
      const b = Math.min(bins - 1, Math.floor(start / width));
      count[b]!++;
      tokens[b]! += n;
      if (full) tp[b]!++;
    });
    this.discard();
    return {
      bin_s: width,
      iterations: count,
      tokens: tokens.map((t, b) => (count[b]! > 0 ? t / count[b]! : 0)),
      tp_fraction: this.marked !== null ? tp.map((n, b) => (count[b]! > 0 ? n / count[b]! : null)) : null,
    };
  }

  /** Removes the spill file (also after a failure). */
  discard(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    rmSync(this.spillFile, { force: true });
  }

  private spill(): void {
    this.fd ??= openSync(this.spillFile, 'w+');
    writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  /** Spilled records in order, then those still in the buffer. */
  private forEachRecord(f: (start: number, tokens: number, full: boolean) => void): void {
    const read = (b: Buffer, bytes: number): void => {
      for (let o = 0; o < bytes; o += RECORD) f(b.readDoubleLE(o), b.readUInt32LE(o + 8), b[o + 12] === 1);
    };
    if (this.fd !== null) {
      const chunk = Buffer.alloc(this.buf.length);
      for (let pos = 0; ; ) {
        const n = readSync(this.fd, chunk, 0, chunk.length, pos);
        if (n === 0) break;
        read(chunk, n);
        pos += n;
      }
    }
    read(this.buf, this.used);
  }
}
