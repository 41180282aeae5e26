import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, createGzip, createGunzip } from 'node:zlib';
import { TRACE_CATALOG, traceEntry, upstreamUrl, type TraceEntry } from './catalog.ts';
import { ChecksumMismatchError, TraceDownloadError } from './errors.ts';
import { isGzipFile } from './source.ts';

export interface DownloadProgress {
  readonly name: string;
  readonly bytes: number;
  /** From Content-Length or the file size, when known. */
  readonly total?: number;
}

export interface DownloadOptions {
  /** The traces directory to fill (same layout as ../shared/traces). */
  readonly to: string;
  /** Catalog names to fetch; default: the whole catalog. */
  readonly only?: readonly string[];
  /**
   * Fetch from a copy laid out like ../shared/traces instead of GitHub: an http(s) or file: URL,
   * or a directory. Gzip-stored traces may be served compressed (`x.jsonl.gz`) or plain (`x.jsonl`).
   */
  readonly mirror?: string;
  /** Fetch again even when a copy with the right checksum is already there. */
  readonly force?: boolean;
  readonly onProgress?: (p: DownloadProgress) => void;
}

export interface DownloadResult {
  readonly name: string;
  readonly file: string;
  readonly status: 'downloaded' | 'present' | 'failed';
  readonly url?: string;
  readonly error?: Error;
}

/** The catalog entries named by `only` (all by default); throws naming an unknown name. */
export function selectEntries(only?: readonly string[]): TraceEntry[] {
  if (only === undefined || only.length === 0) return [...TRACE_CATALOG];
  return only.map((name) => {
    const e = traceEntry(name);
    if (e === undefined) {
      throw new TraceDownloadError(`unknown trace '${name}'; known: ${TRACE_CATALOG.map((x) => x.name).join(', ')}`);
    }
    return e;
  });
}

/**
 * Fetches traces into `options.to`, one after another, verifying each sha256. A failure of one
 * trace is recorded in its result and the others still run; the caller decides the exit status.
 */
export async function downloadTraces(options: DownloadOptions): Promise<DownloadResult[]> {
  const results: DownloadResult[] = [];
  for (const entry of selectEntries(options.only)) {
    const file = join(resolve(options.to), entry.file);
    try {
      results.push(await downloadTrace(entry, options));
    } catch (e) {
      results.push({ name: entry.name, file, status: 'failed', error: e as Error });
    }
  }
  return results;
}

/**
 * Fetches one trace. The bytes go to a temporary file next to the target, which is renamed into
 * place only once its checksum matches, so no half or corrupt file is ever left at the target.
 * Throws a ChecksumMismatchError (temporary file deleted) or a TraceDownloadError.
 */
export async function downloadTrace(entry: TraceEntry, options: DownloadOptions): Promise<DownloadResult> {
  const file = join(resolve(options.to), entry.file);
  if (!options.force && existsSync(file) && (await contentSha256(file)) === entry.sha256) {
    return { name: entry.name, file, status: 'present' };
  }
  await mkdir(dirname(file), { recursive: true });
  const temps: string[] = [];
  const temp = (): string => {
    const t = `${file}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
    temps.push(t);
    return t;
  };
  try {
    const { body, url, total } = await openFirst(candidateUrls(entry, options.mirror));
    const raw = temp();
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
        bytes += chunk.length;
        options.onProgress?.({ name: entry.name, bytes, ...(total === undefined ? {} : { total }) });
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, count, createWriteStream(raw));
    } catch (e) {
      throw new TraceDownloadError(`${url}: transfer failed after ${bytes} bytes (${(e as Error).message})`);
    }
    const actual = await contentSha256(raw);
    if (actual !== entry.sha256) throw new ChecksumMismatchError(file, entry.sha256, actual, url);
    // Store in the catalog's form: gzip-stored traces compressed, others plain, whatever was served.
    let ready = raw;
    const served = isGzipFile(raw);
    if (served !== entry.gzipped) {
      ready = temp();
      const codec = entry.gzipped ? createGzip({ level: zlibConstants.Z_BEST_COMPRESSION }) : createGunzip();
      await pipeline(createReadStream(raw), codec, createWriteStream(ready));
    }
    await rename(ready, file);
    return { name: entry.name, file, status: 'downloaded', url };
  } finally {
    await Promise.all(temps.map((t) => unlink(t).catch(() => undefined)));
  }
}

/** Where to look for an entry, in order. */
export function candidateUrls(entry: TraceEntry, mirror?: string): string[] {
  if (mirror === undefined) return [upstreamUrl(entry)];
  const base = mirror.endsWith('/') ? mirror : `${mirror}/`;
  const names = entry.gzipped ? [entry.file, entry.file.replace(/\.gz$/, '')] : [entry.file];
  return names.map((n) => (/^(https?|file):/.test(base) ? new URL(n, base).href : join(base, n)));
}

interface Opened {
  readonly body: Readable;
  readonly url: string;
  readonly total?: number;
}

/** The first candidate that exists (404 / missing file moves on to the next). */
async function openFirst(urls: readonly string[]): Promise<Opened> {
  for (const url of urls) {
    const opened = await open(url);
    if (opened !== undefined) return opened;
  }
  throw new TraceDownloadError(`not found at ${urls.join(' nor ')}`);
}

async function open(url: string): Promise<Opened | undefined> {
  if (!/^https?:/.test(url)) {
    const path = url.startsWith('file:') ? fileURLToPath(url) : url;
    if (!existsSync(path)) return undefined;
    return { body: createReadStream(path), url, total: statSync(path).size };
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    const cause = (e as Error & { cause?: Error }).cause;
    throw new TraceDownloadError(`${url}: ${cause?.message ?? (e as Error).message}`);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new TraceDownloadError(`${url}: HTTP ${res.status} ${res.statusText}`);
  }
  const length = Number(res.headers.get('content-length'));
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  return Number.isFinite(length) && length > 0 ? { body, url, total: length } : { body, url };
}

/** sha256 of a file's content: of the uncompressed bytes when it is gzip-compressed. */
export async function contentSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  const input = createReadStream(path);
  const content = isGzipFile(path) ? input.pipe(createGunzip()) : input;
  input.on('error', (e) => content.destroy(e)); // .pipe does not forward read errors
  for await (const chunk of content) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
