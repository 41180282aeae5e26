import { closeSync, openSync, readSync, statSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { TraceFormatError, TraceNotFoundError } from './errors.ts';

/**
 * Where trace text comes from: a label for messages (the file path) and a factory that opens a
 * fresh byte stream each time, so a stream can be replayed more than once.
 */
export interface TraceSource {
  readonly label: string;
  readonly open: () => Readable;
}

/** How many bytes `sniffFirstLine` inspects; enough for any header or one Mooncake row. */
const SNIFF_BYTES = 64 * 1024;

function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** A source reading a file from disk, gunzipping it when it starts with the gzip magic bytes. */
export function fileSource(path: string): TraceSource {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new TraceNotFoundError(`${path} is not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof TraceNotFoundError) throw e;
    throw new TraceNotFoundError(`trace file ${path} does not exist or cannot be read`);
  }
  const gz = size >= 2 && isGzipFile(path);
  return {
    label: path,
    open: () => {
      const raw = createReadStream(path);
      if (!gz) return raw;
      const gunzip = createGunzip();
      // pipeline forwards a read error of the file into the gunzip stream, which the line
      // reader then rethrows; the callback only has to exist.
      pipeline(raw, gunzip, () => {});
      return gunzip;
    },
  };
}

/** Whether a file starts with the gzip magic bytes. */
export function isGzipFile(path: string): boolean {
  return isGzip(readHead(path, 2));
}

function readHead(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The first line of a file (gunzipped if needed), read synchronously from its first 64 KiB, so
 * that a loader can reject a wrong format before anything is iterated. '' for an empty file.
 */
export function sniffFirstLine(path: string): string {
  let head = readHead(path, SNIFF_BYTES);
  if (isGzip(head)) {
    try {
      // A sync flush decodes what the truncated prefix holds instead of failing on it.
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new TraceFormatError(path, 1, `not a readable gzip file (${(e as Error).message})`);
    }
  }
  const text = head.toString('utf8');
  const end = text.indexOf('\n');
  return stripLine(end < 0 ? text : text.slice(0, end));
}

/** Drops a byte-order mark and a trailing carriage return. */
export function stripLine(line: string): string {
  let s = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (s.endsWith('\r')) s = s.slice(0, -1);
  return s;
}

/**
 * The lines of a source, streamed with readline (constant memory); the first without a byte-order
 * mark. Lines come in file order, so a consumer numbers them by counting. Breaking out of the loop
 * closes the underlying stream. Read errors (a truncated gzip, say) become TraceFormatErrors at
 * the line where they happened.
 */
export async function* readLines(source: TraceSource): AsyncGenerator<string> {
  const input = source.open();
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      yield line === 1 ? stripLine(text) : text;
    }
  } catch (e) {
    if (e instanceof TraceFormatError) throw e;
    throw new TraceFormatError(source.label, line + 1, `cannot read the file: ${(e as Error).message}`);
  } finally {
    rl.close();
    input.destroy();
  }
}
