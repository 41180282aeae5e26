import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../atomic.ts';
import type { Experiment } from '../config/load.ts';
import { timestampName } from '../store.ts';
import { type SlurmPlan, arrayScript, mergeScript, mergedDir, shardDir, slurmDir } from './scripts.ts';

/**
 * `yarn exp submit <config> --slurm`: runs an experiment (a sweep, or any config whose points
 * `--shard` splits) as a Slurm job array, one shard per task, and a merge job that runs when
 * every task succeeded (`--dependency=afterok`). Writes the scripts (scripts.ts), submits both
 * with sbatch and records the job ids in <root>/slurm/submit.json.
 *
 * Nothing is left half done: Slurm is checked (sbatch on PATH, the controller answering
 * `scontrol ping`) before anything is written, and a failed submission cancels what it
 * submitted and removes the directory it created.
 */
export interface SubmitOptions {
  /** Array tasks (default: the points, at most 8); more than the points is cut to the points. */
  readonly shards?: number;
  readonly partition?: string;
  readonly time?: string;
  readonly cpusPerTask?: number;
  /** Only write the scripts. */
  readonly dryRun?: boolean;
  /** Root of the submission (default <resultsRoot>/<name>/<timestamp>-slurm). */
  readonly out?: string;
  readonly resultsRoot?: string;
  /** The config as given on the command line and the directory it was given in (default: e.file, cwd). */
  readonly config?: string;
  readonly cwd?: string;
  readonly traces?: string;
  /** Environment of the Slurm commands (default process.env; tests set PATH and SLURM_CONF). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Submission {
  readonly root: string;
  readonly shards: number;
  readonly scripts: { readonly array: string; readonly merge: string };
  /** Job ids; absent for a dry run. */
  readonly arrayJob?: string;
  readonly mergeJob?: string;
  readonly notes: readonly string[];
}

export class SlurmError extends Error {
  override readonly name = 'SlurmError';
}

const INSTALL = 'install Slurm\'s client commands and point them at your cluster (Debian: apt-get install slurm-client; a one-machine test cluster: apt-get install -y slurm-wlm munge, then scripts/slurm/start.sh), or only write the scripts with --dry-run';

/** Runs a Slurm command; throws SlurmError when it is missing, hangs or fails. */
function slurm(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutS = 30): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: timeoutS * 1000 });
  const line = `${cmd} ${args.join(' ')}`;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new SlurmError(`Slurm is not installed here: '${cmd}' is not on PATH; ${INSTALL}`);
  if (r.error) throw new SlurmError(`'${line}' did not answer within ${timeoutS} s (${r.error.message}); is the Slurm controller reachable? Check with: scontrol ping`);
  if (r.status !== 0) throw new SlurmError(`'${line}' failed (exit ${r.status}): ${gist(r.stderr || r.stdout)}`);
  return r.stdout.trim();
}

/** The informative lines of a Slurm message, joined (its banners of asterisks dropped). */
function gist(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^\*+$/.test(l) && !/^\*\*.*\*\*$/.test(l)).slice(0, 4).join(' | ');
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, cmd)));
}

/** Slurm answers: sbatch exists, a config is found and the controller is up. */
function checkSlurm(env: NodeJS.ProcessEnv): void {
  for (const cmd of ['sbatch', 'scontrol']) if (!onPath(cmd, env)) throw new SlurmError(`Slurm is not installed here: '${cmd}' is not on PATH; ${INSTALL}`);
  const conf = env.SLURM_CONF;
  if (conf !== undefined && !existsSync(conf)) throw new SlurmError(`SLURM_CONF names ${conf}, which does not exist; point it at the cluster's slurm.conf`);
  const r = spawnSync('scontrol', ['ping'], { env, encoding: 'utf8', timeout: 20_000 });
  const answer = gist(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status === 0 && /\bUP\b/.test(answer)) return;
  const where = conf === undefined ? 'SLURM_CONF is unset, so Slurm looks for /etc/slurm/slurm.conf' : `SLURM_CONF is ${conf}`;
  if (/configuration source|cannot stat file/.test(answer)) throw new SlurmError(`no Slurm configuration found (${where}): set SLURM_CONF to your cluster's slurm.conf. scontrol ping said: ${answer}`);
  throw new SlurmError(`the Slurm controller is not reachable (${r.error ? `no answer in 20 s` : `scontrol ping: ${answer}`}); check that slurmctld runs and that the config is the cluster's (${where})`);
}

/** [node, --import, tsx, <this checkout>/src/cli/exp.ts]: `yarn exp` without yarn, from any directory. */
function expCommand(): string[] {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const cli = fileURLToPath(new URL(`../../cli/exp${ext}`, import.meta.url));
  return ext === '.ts' ? [process.execPath, '--import', import.meta.resolve('tsx'), cli] : [process.execPath, cli];
}

function shardCount(e: Experiment, asked: number | undefined, notes: string[]): number {
  const points = e.points.length;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1)) throw new SlurmError(`--shards must be a positive integer, got ${asked}`);
  const n = asked ?? Math.min(points, 8);
  if (n <= points) return n;
  notes.push(`--shards ${n}: the config has ${points} point(s), so ${points} shard(s) (a shard runs whole points)`);
  return points;
}

export function submitSlurm(e: Experiment, o: SubmitOptions = {}): Submission {
  const env = o.env ?? process.env;
  const notes: string[] = [];
  if (e.points.length === 0) throw new SlurmError(`${e.file}: nothing to run (no points)`);
  const shards = shardCount(e, o.shards, notes);
  if (!o.dryRun) checkSlurm(env);
  const root = resolve(o.out ?? join(o.resultsRoot ?? 'results', e.config.name, `${timestampName()}-slurm`));
  if (existsSync(root) && readdirSync(root).length > 0) throw new SlurmError(`${root} exists and is not empty; choose another --out`);
  const plan: SlurmPlan = {
    name: e.config.name,
    config: o.config ?? e.file,
    cwd: resolve(o.cwd ?? '.'),
    root,
    shards,
    cpusPerTask: o.cpusPerTask ?? 1,
    ...(o.partition === undefined ? {} : { partition: o.partition }),
    ...(o.time === undefined ? {} : { time: o.time }),
    ...(o.traces === undefined ? {} : { traces: resolve(o.traces) }),
    command: expCommand(),
  };
  const scripts = { array: join(slurmDir(root), 'array.sbatch'), merge: join(slurmDir(root), 'merge.sbatch') };
  const created = !existsSync(root);
  const jobs: string[] = [];
  try {
    mkdirSync(join(slurmDir(root), 'logs'), { recursive: true });
    writeFileAtomic(scripts.array, arrayScript(plan));
    writeFileAtomic(scripts.merge, mergeScript(plan));
    if (o.dryRun) return { root, shards, scripts, notes };
    jobs.push(jobId(slurm('sbatch', ['--parsable', scripts.array], env)));
    jobs.push(jobId(slurm('sbatch', ['--parsable', `--dependency=afterok:${jobs[0]}`, scripts.merge], env)));
    writeFileAtomic(join(slurmDir(root), 'submit.json'), `${JSON.stringify({ array_job: jobs[0], merge_job: jobs[1], shards, config: plan.config, cwd: plan.cwd, merged: mergedDir(root), shard_dirs: Array.from({ length: shards }, (_, k) => shardDir(root, k + 1, shards)) }, null, 2)}\n`);
    return { root, shards, scripts, arrayJob: jobs[0]!, mergeJob: jobs[1]!, notes };
  } catch (err) {
    // Undo: cancel what was submitted, remove what was written.
    if (jobs.length > 0) spawnSync('scancel', jobs, { env, timeout: 20_000 });
    if (created) rmSync(root, { recursive: true, force: true });
    else rmSync(slurmDir(root), { recursive: true, force: true });
    throw err;
  }
}

/** `sbatch --parsable` prints `<id>` or `<id>;<cluster>`. */
function jobId(out: string): string {
  const id = out.split('\n').at(-1)!.split(';')[0]!.trim();
  if (!/^\d+$/.test(id)) throw new SlurmError(`sbatch answered '${out}', not a job id`);
  return id;
}
