import type { Argv, CommandModule } from 'yargs';
import { loadAnyConfig } from '../exp/search/index.ts';
import { type Submission, submitSlurm } from '../exp/slurm/submit.ts';
import { mergedDir } from '../exp/slurm/scripts.ts';
import { tracesDirs } from '../traces/discover.ts';
import { UsageError } from './errors.ts';
import type { ExpIo } from './exp-io.ts';

/** `yarn exp submit <config> --slurm [...]`: the experiment as a Slurm job array plus a merge job. */
interface SubmitArgs {
  readonly config: string;
  readonly slurm: boolean;
  readonly shards?: number | undefined;
  readonly partition?: string | undefined;
  readonly time?: string | undefined;
  readonly 'cpus-per-task': number;
  readonly 'dry-run': boolean;
  readonly out?: string | undefined;
  readonly traces?: string | undefined;
  readonly results: string;
}

function describe(s: Submission, dryRun: boolean, search: boolean): string {
  const lines = [...s.notes.map((n) => `note: ${n}`)];
  const { array, merge } = s.scripts;
  if (dryRun) {
    lines.push(`wrote ${array} (${s.shards} array tasks) and ${merge}; nothing submitted. Submit them with:`);
    lines.push(`  a=$(sbatch --parsable ${array}) && sbatch --dependency=afterok:$a ${merge}`);
    return lines.join('\n');
  }
  lines.push(
    `submitted ${s.shards} shard(s) as array job ${s.arrayJob} and the merge as job ${s.mergeJob} (runs when every shard succeeded)`,
    `  watch:    squeue -j ${s.arrayJob},${s.mergeJob}      logs: ${s.root}/slurm/logs/`,
    `  results:  ${mergedDir(s.root)}/ once job ${s.mergeJob} ends (${search ? 'summary.md, search.json, winner.yaml' : 'summary.md, results.json, requests.csv'})`,
    `  a failed shard i: sbatch --array=i ${array}   (it resumes shard i), then scancel ${s.mergeJob} and`,
    `            sbatch --dependency=afterok:<new job> ${merge}`,
  );
  return lines.join('\n');
}

async function submit(a: SubmitArgs, io: ExpIo): Promise<void> {
  if (!a.slurm) throw new UsageError(`${io.command} submit needs a scheduler: --slurm (the only one supported)`);
  const e = await loadAnyConfig(a.config, { tracesDirs: tracesDirs(a.traces) });
  for (const s of e.skipped) io.err(`note: skipping workload '${s.workload}': ${s.reason}`);
  const s = submitSlurm(e, {
    config: a.config,
    cpusPerTask: a['cpus-per-task'],
    dryRun: a['dry-run'],
    resultsRoot: a.results,
    ...(a.shards === undefined ? {} : { shards: a.shards }),
    ...(a.partition === undefined ? {} : { partition: a.partition }),
    ...(a.time === undefined ? {} : { time: a.time }),
    ...(a.out === undefined ? {} : { out: a.out }),
    ...(a.traces === undefined ? {} : { traces: a.traces }),
  });
  io.out(describe(s, a['dry-run'], e.search !== undefined));
}

/** The `submit` command of `yarn exp`; its errors go to expMain, which maps them to exit codes. */
export const submitCommand = (io: ExpIo): CommandModule<object, SubmitArgs> => ({
  command: 'submit <config>',
  describe: 'run an experiment or a search on a Slurm cluster: a job array (one --shard per task; a search shards its candidates) and a merge job after it',
  builder: (y: Argv) =>
    y
      .positional('config', { type: 'string', demandOption: true, describe: 'experiment or search YAML' })
      .option('slurm', { type: 'boolean', default: false, describe: 'submit to Slurm with sbatch (required: the only scheduler)' })
      .option('shards', { type: 'number', describe: 'array tasks, one shard each (default: the points, at most 8)' })
      .option('partition', { type: 'string', describe: 'Slurm partition (default: the cluster\'s)' })
      .option('time', { type: 'string', describe: 'time limit per task, e.g. 2:00:00 (default: the partition\'s)' })
      .option('cpus-per-task', { type: 'number', default: 1, describe: 'CPUs per task, also its worker threads' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'only write the scripts' })
      .option('out', { type: 'string', describe: 'root of the shards, the merged run and the scripts (default: <results>/<name>/<timestamp>-slurm); on a file system every node sees' })
      .option('traces', { type: 'string', describe: 'directory of trace files (default: data/traces, then ../shared/traces)' })
      .option('results', { type: 'string', default: 'results', describe: 'root of default results directories' }) as unknown as Argv<SubmitArgs>,
  handler: (a) => submit(a, io),
});
