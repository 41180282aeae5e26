import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRACE_CATALOG, traceEntry, type TraceEntry } from './catalog.ts';
import { TraceNotFoundError } from './errors.ts';

/** The repository root (two levels above this file), so defaults do not depend on the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where `yarn traces download` puts files by default (git-ignored). */
export const DEFAULT_DOWNLOAD_DIR = join(REPO_ROOT, 'data', 'traces');

/**
 * The directories searched for traces by short name, in order: the given one alone (the CLI's
 * `--traces DIR`), else `data/traces` then `../shared/traces`, both relative to the repo root.
 */
export function tracesDirs(explicit?: string): string[] {
  if (explicit !== undefined) return [resolve(explicit)];
  return [DEFAULT_DOWNLOAD_DIR, resolve(REPO_ROOT, '..', 'shared', 'traces')];
}

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/**
 * The candidate file names of an entry inside one directory: as listed, and for gzip-stored
 * files also the uncompressed name (a traces dir may hold either).
 */
function candidates(e: TraceEntry, dir: string): string[] {
  const p = join(dir, e.file);
  return e.gzipped ? [p, p.replace(/\.gz$/, '')] : [p];
}

/** Where a catalog entry is found in `dirs` (first hit), or undefined. */
export function findTrace(e: TraceEntry, dirs: readonly string[]): string | undefined {
  for (const dir of dirs) {
    const hit = candidates(e, dir).find(isFile);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** The command that fetches a catalog trace, for error messages. */
export function downloadHint(names: readonly string[]): string {
  const only = names.length > 0 ? ` --only ${names.join(',')}` : '';
  return `yarn traces download${only} (or npm run traces -- download${only})`;
}

/**
 * Resolves a short name (see TRACE_CATALOG) or a path to a file. A name is looked up in `dirs`
 * in order; a path is taken relative to the cwd, else relative to each of `dirs`. Throws a
 * TraceNotFoundError naming the trace, every place looked and how to get it.
 */
export function resolveTrace(nameOrPath: string, dirs: readonly string[] = tracesDirs()): string {
  const entry = traceEntry(nameOrPath);
  if (entry !== undefined) {
    const hit = findTrace(entry, dirs);
    if (hit !== undefined) return hit;
    const looked = dirs.flatMap((d) => candidates(entry, d));
    throw new TraceNotFoundError(
      `trace '${entry.name}' not found; looked for ${looked.join(', ')}. ` +
        `Get it with: ${downloadHint([entry.name])}, or pass --traces DIR pointing at a copy`,
    );
  }
  if (isFile(nameOrPath)) return resolve(nameOrPath);
  if (!isAbsolute(nameOrPath)) {
    const hit = dirs.map((d) => join(d, nameOrPath)).find(isFile);
    if (hit !== undefined) return hit;
  }
  const names = TRACE_CATALOG.map((e) => e.name).join(', ');
  throw new TraceNotFoundError(
    `trace '${nameOrPath}' is neither a known name (${names}) nor a file; looked in the current ` +
      `directory${isAbsolute(nameOrPath) ? '' : ` and in ${dirs.join(', ')}`}`,
  );
}
