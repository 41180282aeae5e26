import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Experiment } from './config/load.ts';

/**
 * What a run's numbers depend on besides its config: this project's code and the files the
 * config makes a run read. Recorded in run.json and results.json; `--resume` and `merge`
 * refuse to mix results of different versions (an edited policy module, a new commit).
 *
 * The project is fingerprinted by content: a hash of the code units run with (src/, minus the
 * CLI and the report writer, which do not change a unit's numbers) and of package-lock.json,
 * beside the git commit and dirty flag for people to read. A content hash survives moving the
 * checkout and a commit that only touches docs; it changes with any edit that matters.
 */
export interface Provenance {
  readonly project: {
    /** `git rev-parse HEAD`, or null outside a git checkout. */
    readonly commit: string | null;
    /** Tracked files differ from the commit (null outside a git checkout). */
    readonly dirty: boolean | null;
    /** sha256 (16 hex digits) of the code that computes units (see above). */
    readonly code_hash: string;
  };
  /**
   * sha256 (16 hex digits) of each file the config makes a run read, keyed by its role and how
   * the config names it: `policy ./x.ts` (and `policy ./x.ts imports ./helper.ts` for the local
   * files it imports), `hardware ./gpu.json`, `trace <workload>`, `lengths <workload>`.
   */
  readonly files: Readonly<Record<string, string>>;
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Under src/, the parts that never change a unit's result. */
const NOT_UNIT_CODE = [join('src', 'cli'), join('src', 'exp', 'report')];

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex').slice(0, 16);

export function hashFile(path: string): string {
  return sha(readFileSync(path));
}

function git(args: readonly string[]): string | null {
  try {
    return execFileSync('git', ['-C', REPO, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

function codeFiles(): string[] {
  const src = join(REPO, 'src');
  const files = (readdirSync(src, { recursive: true }) as string[])
    .map((f) => join('src', f))
    .filter((f) => !NOT_UNIT_CODE.some((d) => f === d || f.startsWith(d + sep)) && statSync(join(REPO, f)).isFile());
  return [...files, 'package-lock.json'].filter((f) => existsSync(join(REPO, f))).sort();
}

/** The project's fingerprint (reads src/, runs git twice: a few tens of milliseconds). */
export function projectFingerprint(): Provenance['project'] {
  const h = createHash('sha256');
  for (const f of codeFiles()) h.update(f.split(sep).join('/')).update('\0').update(readFileSync(join(REPO, f))).update('\0');
  const commit = git(['rev-parse', 'HEAD']);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no']);
  return { commit, dirty: status === null ? null : status !== '', code_hash: h.digest('hex').slice(0, 16) };
}

/** A file a run reads: its key in Provenance.files and its absolute path. */
export interface RunFile {
  readonly key: string;
  readonly path: string;
}

const LOCAL_IMPORT = /(?:^|[\s;])(?:import(?!\s+type\b)(?:[\s\w{},*$]*\sfrom)?|export[\s\w{},*$]*\sfrom|import\s*\(|require\s*\()\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The local files `file` imports (relative specifiers, resolved like tsx: as written, else + .ts / .js). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(LOCAL_IMPORT)) {
    const base = resolve(dirname(file), m[1]!);
    const hit = [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')].find((p) => existsSync(p) && statSync(p).isFile());
    if (hit) found.push(hit);
  }
  return found;
}

/**
 * A policy module and the local files it imports, transitively, outside this project's src/
 * (which the project fingerprint covers). Keys name each import relative to the module.
 */
export function policyModuleFiles(module: string, baseDir: string): RunFile[] {
  const entry = resolve(baseDir, module);
  if (!existsSync(entry)) return [];
  const files: RunFile[] = [{ key: `policy ${module}`, path: entry }];
  const seen = new Set([entry]);
  const projectSrc = join(REPO, 'src') + sep;
  for (let i = 0; i < files.length; i++) {
    for (const dep of localImports(files[i]!.path)) {
      if (seen.has(dep) || dep.startsWith(projectSrc)) continue;
      seen.add(dep);
      files.push({ key: `policy ${module} imports ${relative(dirname(entry), dep).split(sep).join('/')}`, path: dep });
    }
  }
  return files;
}

/** Every file the experiment's units read, once each. */
export function experimentFiles(e: Experiment): RunFile[] {
  const files = new Map<string, RunFile>();
  const add = (f: RunFile): void => void (files.has(f.key) || files.set(f.key, f));
  if (e.config.hardware.endsWith('.json')) add({ key: `hardware ${e.config.hardware}`, path: resolve(e.baseDir, e.config.hardware) });
  for (const p of e.points) {
    for (const s of p.systems) {
      const module = (s.policy as { module?: unknown } | undefined)?.module;
      if (typeof module === 'string') policyModuleFiles(module, e.baseDir).forEach(add);
    }
    const spec = p.workload.spec;
    if ('trace' in spec) add({ key: `trace ${p.workload.name}`, path: spec.trace });
    else if (spec.synthetic.lengths.kind === 'file') add({ key: `lengths ${p.workload.name}`, path: spec.synthetic.lengths.file });
  }
  return [...files.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function provenanceOf(e: Experiment): Provenance {
  const byPath = new Map<string, string>();
  const hash = (path: string): string => byPath.get(path) ?? byPath.set(path, hashFile(path)).get(path)!;
  return { project: projectFingerprint(), files: Object.fromEntries(experimentFiles(e).map((f) => [f.key, hash(f.path)])) };
}

const shortCommit = (p: Provenance['project']): string => (p.commit === null ? 'no git commit' : `commit ${p.commit.slice(0, 12)}${p.dirty ? ' with uncommitted changes' : ''}`);

/** What differs between two runs' provenance, one phrase each (empty: nothing). */
export function provenanceChanges(before: Provenance, now: Provenance): string[] {
  const out: string[] = [];
  if (before.project.code_hash !== now.project.code_hash) {
    out.push(`the project's code (src/, package-lock.json): ${shortCommit(before.project)} then, ${shortCommit(now.project)} now (code hash ${before.project.code_hash} → ${now.project.code_hash})`);
  }
  for (const key of [...new Set([...Object.keys(before.files), ...Object.keys(now.files)])].sort()) {
    const [a, b] = [before.files[key], now.files[key]];
    if (a === b) continue;
    out.push(a === undefined ? `${key}: not read then` : b === undefined ? `${key}: not read now` : `${key}: its content changed (sha256 ${a} → ${b})`);
  }
  return out;
}
