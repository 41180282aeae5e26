import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { TMP_SUFFIX, writeFileAtomic } from './atomic.ts';
import { type LockHolder, lockDir } from './lock.ts';
import type { RunManifest } from './manifest.ts';
import { requestFile } from './request-file.ts';
import type { UnitResult } from './unit.ts';

/**
 * A results directory:
 *   config.yaml     the resolved config          run.json   the manifest (plan, shard, hash)
 *   run.log         one JSON event per line
 *   units/<unit>.json  a finished unit's summary   units/<unit>.requests.csv  its request rows
 *   results.json, requests.csv, summary.md, plots/*.svg, index.html   (the report)
 * Every file is written atomically; a unit file exists only once its unit finished, so a
 * killed run leaves at most `*.partial` files, which never count and are removed on resume.
 * A process writing the directory holds its lock (run.lock, see lock.ts).
 */
export class RunDir {
  private locks = 0;
  private unlock: (() => void) | undefined;

  constructor(readonly dir: string) {}

  /**
   * Locks the directory for this RunDir (nested calls on the same object share the lock);
   * returns the release. Throws DirLockedError naming the process holding it.
   */
  lock(onTakeover?: (stale: LockHolder) => void): () => void {
    if (this.locks === 0) this.unlock = lockDir(this.dir, onTakeover);
    this.locks++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.locks === 0) this.unlock?.();
    };
  }

  get unitsDir(): string {
    return join(this.dir, 'units');
  }

  /**
   * A new directory holding the resolved config (YAML text, see configYaml) and the manifest,
   * returned locked (see lock()). `taken` says what to do instead when `dir` already holds a run.
   */
  static create(dir: string, manifest: RunManifest, configText: string, taken = `pass --resume ${dir} to continue it, or choose another --out`): { run: RunDir; release: () => void } {
    if (existsSync(join(dir, 'run.json'))) throw new ResultsDirError(`${dir} already holds a run; ${taken}`);
    mkdirSync(join(dir, 'units'), { recursive: true });
    const run = new RunDir(dir);
    const release = run.lock();
    try {
      // Checked again under the lock: another process may have created it meanwhile.
      if (existsSync(join(dir, 'run.json'))) throw new ResultsDirError(`${dir} already holds a run; ${taken}`);
      writeFileAtomic(join(dir, 'config.yaml'), configText);
      run.writeManifest(manifest);
    } catch (e) {
      release();
      throw e;
    }
    return { run, release };
  }

  static open(dir: string): RunDir {
    if (!existsSync(join(dir, 'run.json'))) throw new ResultsDirError(`${dir} is not a results directory of an experiment (it has no run.json)`);
    return new RunDir(dir);
  }

  manifest(): RunManifest {
    return JSON.parse(readFileSync(join(this.dir, 'run.json'), 'utf8')) as RunManifest;
  }

  writeManifest(m: RunManifest): void {
    writeFileAtomic(join(this.dir, 'run.json'), `${JSON.stringify(m, null, 2)}\n`);
  }

  /** The stored resolved config (for explaining a hash mismatch). */
  resolvedText(): string {
    return readFileSync(join(this.dir, 'config.yaml'), 'utf8');
  }

  saveUnit(r: UnitResult): void {
    writeFileAtomic(join(this.unitsDir, `${r.unit}.json`), JSON.stringify(r));
  }

  /** Where a unit's request rows are (written by the unit while it runs). */
  requestFile(unit: string): string {
    return requestFile(this.unitsDir, unit);
  }

  /** A finished unit of this config, or undefined (missing, unreadable, of another config, or without its request rows). */
  readUnit(unit: string, hash: string): UnitResult | undefined {
    const file = join(this.unitsDir, `${unit}.json`);
    if (!existsSync(file) || !existsSync(this.requestFile(unit))) return undefined;
    try {
      const r = JSON.parse(readFileSync(file, 'utf8')) as UnitResult;
      return r.version === 2 && r.unit === unit && r.config_hash === hash ? r : undefined;
    } catch {
      return undefined;
    }
  }

  /** Units of `units` with a valid finished file. */
  finished(units: readonly string[], hash: string): Set<string> {
    return new Set(units.filter((u) => this.readUnit(u, hash) !== undefined));
  }

  /** Removes leftovers of writes that were cut off. */
  removePartials(): number {
    let n = 0;
    for (const d of [this.dir, this.unitsDir]) {
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) {
        if (f.endsWith(TMP_SUFFIX)) {
          rmSync(join(d, f), { force: true });
          n++;
        }
      }
    }
    return n;
  }

  /** Appends one event to run.log (a line of JSON with a timestamp). */
  log(event: string, fields: Record<string, unknown> = {}): void {
    appendFileSync(join(this.dir, 'run.log'), `${JSON.stringify({ at: new Date().toISOString(), event, ...fields })}\n`);
  }

  /** The run.log events, oldest first. */
  events(): { event: string; [k: string]: unknown }[] {
    const file = join(this.dir, 'run.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { event: string });
  }
}

/** config.yaml: the resolved config with a header naming its source and hash. */
export function configYaml(manifest: RunManifest, resolved: Record<string, unknown>): string {
  const header = `# Resolved from ${manifest.source} (config hash ${manifest.config_hash}) by yarn exp; every default is filled in.\n# Relative paths are relative to the directory of ${manifest.source}.\n`;
  return header + stringify(resolved, { lineWidth: 0 });
}

export class ResultsDirError extends Error {
  override readonly name = 'ResultsDirError';
}

/** `2026-11-22T03-45-12Z`: sortable, and valid in file names everywhere. */
export function timestampName(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

/** The newest run directory under `root` (by name) whose manifest satisfies `accept`. */
export function latestRun(root: string, accept: (m: RunManifest) => boolean): string | undefined {
  if (!existsSync(root)) return undefined;
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'run.json')))
    .map((d) => d.name)
    .sort()
    .reverse();
  return dirs.map((d) => join(root, d)).find((d) => accept(RunDir.open(d).manifest()));
}
