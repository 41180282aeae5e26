import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Experiment } from './config/load.ts';
import { diffPaths } from './diff.ts';
import { type RunManifest, buildManifest } from './manifest.ts';
import { InlineRunner } from './inline.ts';
import { policyModuleFiles, provenanceChanges, provenanceOf } from './provenance.ts';
import { WorkerPool } from './pool.ts';
import { type Progress, silentProgress } from './progress.ts';
import type { UnitOutput, UnitProgress } from './run-point.ts';
import { type Shard, describeShard } from './shard.ts';
import { ResultsDirError, RunDir, configYaml, latestRun, timestampName } from './store.ts';
import type { UnitInput } from './unit.ts';

export interface RunOptions {
  /** Results directory (default: <resultsRoot>/<name>/<timestamp>[-shard-IofN]). */
  readonly out?: string;
  /** Continue a run: its directory, or true for the newest run of this config (and shard). */
  readonly resume?: string | true;
  readonly resultsRoot?: string;
  /** Worker threads (default: the machine's cores); 1 runs the units in this thread. */
  readonly jobs?: number;
  readonly shard?: Shard | null;
  readonly progress?: Progress;
  /** Aborting stops the run: running units are dropped (a resume redoes them), finished ones stay. */
  readonly signal?: AbortSignal;
  /** Called after each unit is saved. */
  readonly onUnitSaved?: (unit: string) => void;
  /** Hears what the user should know but that stops nothing (a stale lock taken over, ...). */
  readonly onNote?: (message: string) => void;
}

export interface RunOutcome {
  readonly dir: RunDir;
  readonly manifest: RunManifest;
  /** Units run now, and units found finished from before. */
  readonly ran: readonly string[];
  readonly reused: readonly string[];
  readonly failed: readonly { readonly unit: string; readonly label: string; readonly error: Error }[];
  readonly interrupted: boolean;
}

/** Runs (or resumes) every unit of the experiment (of the shard) that has no finished file. */
export async function runExperiment(e: Experiment, o: RunOptions = {}): Promise<RunOutcome> {
  const manifest: RunManifest = { ...buildManifest(e, o.shard ?? null), provenance: provenanceOf(e) };
  const { dir, release } = openRunDir(e, manifest, o);
  try {
    return await runUnits(e, manifest, dir, o);
  } finally {
    release();
  }
}

async function runUnits(e: Experiment, manifest: RunManifest, dir: RunDir, o: RunOptions): Promise<RunOutcome> {
  const shard = manifest.shard;
  const hash = manifest.config_hash;
  const reused = dir.finished(manifest.units, hash);
  const todo = manifest.units.filter((u) => !reused.has(u));
  dir.log(reused.size > 0 || o.resume !== undefined ? 'resume' : 'start', { shard: describeShard(shard), units: manifest.units.length, finished: reused.size, todo: todo.length });
  const progress = o.progress ?? silentProgress;
  progress.start(manifest.units.length, reused.size);
  const inputs = unitInputs(e, manifest, dir.unitsDir);
  const ran: string[] = [];
  const failed: { unit: string; label: string; error: Error }[] = [];
  let interrupted = o.signal?.aborted ?? false;
  if (todo.length > 0 && !interrupted) {
    const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), todo.length));
    const pool = jobs === 1 ? new InlineRunner() : new WorkerPool<UnitInput, UnitOutput, UnitProgress>(new URL(`./worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url), jobs);
    const stop = (): void => {
      interrupted = true;
      void pool.close();
    };
    o.signal?.addEventListener('abort', stop, { once: true });
    // The pool's worker threads are closed however the units end: an open one keeps the process alive.
    try {
      await Promise.all(
        todo.map(async (unit) => {
          const input = inputs.get(unit)!;
          const label = `${input.point} ${input.system.name}`;
          try {
            const out = await pool.run(input, { onStart: () => progress.running(unit, label), onProgress: (p) => progress.update(unit, `${p.finished} requests done`) });
            dir.saveUnit({ version: 2, config_hash: hash, ...out });
            dir.log('unit-done', { unit, point: input.point, system: input.system.name });
            ran.push(unit);
            progress.done(unit, true);
            o.onUnitSaved?.(unit);
          } catch (err) {
            if (interrupted) return;
            failed.push({ unit, label, error: err as Error });
            dir.log('unit-failed', { unit, point: input.point, system: input.system.name, error: (err as Error).message });
            progress.done(unit, false);
          }
        }),
      );
    } finally {
      o.signal?.removeEventListener('abort', stop);
      await pool.close();
    }
  }
  progress.stop();
  if (interrupted) dir.log('interrupted', { finished: reused.size + ran.length, of: manifest.units.length });
  return { dir, manifest, ran, reused: [...reused], failed, interrupted };
}

/** The results directory, locked: a new one, or the run to resume once it is checked to be this one. */
function openRunDir(e: Experiment, manifest: RunManifest, o: RunOptions): { dir: RunDir; release: () => void } {
  const root = resolve(o.resultsRoot ?? 'results', manifest.name);
  if (o.resume === undefined) {
    const suffix = manifest.shard ? `-shard-${manifest.shard.index}of${manifest.shard.count}` : '';
    const { run, release } = RunDir.create(o.out ?? join(root, `${timestampName()}${suffix}`), manifest, configYaml(manifest, e.resolved));
    return { dir: run, release };
  }
  const sameShard = (m: RunManifest): boolean => JSON.stringify(m.shard) === JSON.stringify(manifest.shard);
  const path = o.resume === true ? (o.out ?? latestRun(root, (m) => m.config_hash === manifest.config_hash && sameShard(m))) : o.resume;
  if (path === undefined) throw new ResultsDirError(`nothing to resume: no run of this config (${describeShard(manifest.shard)}) under ${root}`);
  const dir = RunDir.open(path);
  // Locked before anything is read or removed: a run still writing it keeps its partial files.
  const release = dir.lock((stale) => {
    o.onNote?.(`${path}: taking over the lock of process ${stale.pid}, which is no longer running (started ${stale.since})`);
    dir.log('lock-taken-over', { stale });
  });
  try {
    checkResumable(e, manifest, dir, path, sameShard, o.onNote);
  } catch (err) {
    release();
    throw err;
  }
  dir.removePartials();
  return { dir, release };
}

function checkResumable(e: Experiment, manifest: RunManifest, dir: RunDir, path: string, sameShard: (m: RunManifest) => boolean, note?: (m: string) => void): void {
  const old = dir.manifest();
  if (old.config_hash !== manifest.config_hash) {
    const diff = diffPaths(parse(dir.resolvedText()), e.resolved);
    throw new ResultsDirError(`cannot resume ${path}: the config changed since that run (differs at ${diff.join(', ') || 'unknown keys'}); start a new run instead`);
  }
  if (!sameShard(old)) throw new ResultsDirError(`cannot resume ${path}: it ran ${describeShard(old.shard)}, this run asks for ${describeShard(manifest.shard)}`);
  if (old.provenance === undefined) {
    note?.(`${path} does not record the code and files its units ran with (made by an older version); resuming without checking them`);
    return;
  }
  const changes = provenanceChanges(old.provenance, manifest.provenance!);
  if (changes.length > 0) {
    throw new ResultsDirError(
      `cannot resume ${path}: its finished units were computed with other code or files than this run would use, and mixing them would give a report of two versions. Changed:\n${changes.map((c) => `  - ${c}`).join('\n')}\nRestore them to resume, or start a new run.`,
    );
  }
}

/** The worker input of every unit, by unit name; units stream their request rows into `unitsDir`. */
function unitInputs(e: Experiment, manifest: RunManifest, unitsDir: string): Map<string, UnitInput> {
  const hardware = e.config.hardware.endsWith('.json') ? resolve(e.baseDir, e.config.hardware) : e.config.hardware;
  const files = manifest.provenance?.files ?? {};
  const moduleFiles = new Map<string, Record<string, string>>();
  const policyFilesOf = (module: string): Record<string, string> =>
    moduleFiles.get(module) ?? moduleFiles.set(module, Object.fromEntries(policyModuleFiles(module, e.baseDir).map((f) => [f.path, files[f.key]!]))).get(module)!;
  const map = new Map<string, UnitInput>();
  for (const p of e.points) {
    const plan = manifest.points[p.index]!;
    p.systems.forEach((system, k) => {
      const unit = plan.systems[k]!.unit;
      const module = (system.policy as { module?: unknown } | undefined)?.module;
      const policyFiles = typeof module === 'string' ? policyFilesOf(module) : undefined;
      map.set(unit, {
        unit, point: p.id, model: e.config.model, hardware, system, workload: p.workload,
        ...(e.config.slo === undefined ? {} : { slo: e.config.slo }),
        timelineBins: e.config.report.timeline_bins, cdfPoints: e.config.report.cdf_points, baseDir: e.baseDir,
        files: { unitsDir, percentiles: e.config.report.percentiles },
        ...(policyFiles === undefined ? {} : { policyFiles }),
        ...(e.search === undefined ? {} : { search: e.search.probe }),
      });
    });
  }
  return map;
}
