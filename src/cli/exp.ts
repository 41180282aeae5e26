import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError } from '../exp/config/errors.ts';
import { loadExperiment } from '../exp/config/load.ts';
import { configReference } from '../exp/config/reference.ts';
import { MergeError, mergeRuns } from '../exp/merge.ts';
import { createProgress } from '../exp/progress.ts';
import { writeReport } from '../exp/report/index.ts';
import { runExperiment } from '../exp/runner.ts';
import { ShardError, parseShard } from '../exp/shard.ts';
import { ResultsDirError, RunDir, timestampName } from '../exp/store.ts';
import { tracesDirs } from '../traces/discover.ts';
import { exitOnError } from './errors.ts';
import { submitCommand } from './exp-submit.ts';

/** Errors the user can fix from the message alone (exit 2, no stack). */
const USER_ERRORS = [ConfigError, ResultsDirError, ShardError, MergeError];

function fail(e: unknown): never {
  if (USER_ERRORS.some((c) => e instanceof c)) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(2);
  }
  return exitOnError(e);
}

interface RunArgs {
  readonly config: string;
  readonly out?: string | undefined;
  readonly resume?: string | undefined;
  readonly jobs: number;
  readonly shard?: string | undefined;
  readonly traces?: string | undefined;
  readonly results: string;
}

async function run(argv: RunArgs): Promise<void> {
  const shard = argv.shard === undefined ? null : parseShard(argv.shard);
  const experiment = await loadExperiment(argv.config, { tracesDirs: tracesDirs(argv.traces) });
  for (const s of experiment.skipped) console.error(`note: skipping workload '${s.workload}': ${s.reason}`);
  if (experiment.points.length === 0) throw new ConfigError(argv.config, [{ path: ['workloads'], message: 'nothing to run: every workload was skipped' }]);
  const units = experiment.points.reduce((a, p) => a + p.systems.length, 0);
  console.error(`${experiment.config.name}: ${experiment.points.length} point(s), ${units} unit(s) (point × system), ${argv.jobs} worker(s)`);
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    if (++interrupts > 1) process.exit(130);
    console.error('\ninterrupted: stopping; finished units are kept (Ctrl-C again to quit at once)');
    controller.abort();
  });
  const started = performance.now();
  const outcome = await runExperiment(experiment, {
    ...(argv.out === undefined ? {} : { out: argv.out }),
    ...(argv.resume === undefined ? {} : { resume: argv.resume === '' ? true : argv.resume }),
    resultsRoot: argv.results,
    jobs: argv.jobs,
    shard,
    signal: controller.signal,
    progress: createProgress(process.stderr, { tty: process.stderr.isTTY === true }),
  });
  const dir = outcome.dir.dir;
  if (outcome.interrupted) {
    console.error(`stopped with ${outcome.reused.length + outcome.ran.length} of ${outcome.manifest.units.length} units finished; continue with: yarn exp ${argv.config} --resume ${dir}`);
    process.exit(130);
  }
  if (outcome.failed.length > 0) {
    for (const f of outcome.failed) console.error(`unit ${f.label} failed: ${f.error.name}: ${f.error.message}`);
    console.error(`${outcome.failed.length} unit(s) failed; the others are saved in ${dir}. Fix the cause and run: yarn exp ${argv.config} --resume ${dir}`);
    process.exit(1);
  }
  const report = await writeReport(outcome.dir);
  console.log(report.terminal);
  console.error(`done in ${((performance.now() - started) / 1000).toFixed(1)} s (${outcome.ran.length} unit(s) run, ${outcome.reused.length} reused)`);
}

const cores = availableParallelism();

await yargs(hideBin(process.argv))
  .scriptName('yarn exp')
  .usage('$0 <config.yaml> [options]\n\nRuns an experiment: every system of the config on every point (workload × sweep values) in the serving simulator, then writes results.json, requests.csv, summary.md, SVG plots and index.html to results/<name>/<timestamp>/.')
  .command(
    '$0 <config>',
    'run (or resume) an experiment',
    (y) =>
      y
        .positional('config', { type: 'string', demandOption: true, describe: 'experiment YAML (see `yarn exp keys`)' })
        .option('out', { type: 'string', describe: 'results directory (default: <results>/<name>/<timestamp>[-shard-IofN])' })
        .option('resume', { type: 'string', describe: 'continue an interrupted run: its directory, or no value for the newest run of this config (and shard); finished units are not redone' })
        .option('jobs', { alias: 'j', type: 'number', default: cores, describe: 'worker threads running units in parallel (default: the cores of this machine; 1 runs them in this process)' })
        .option('shard', { type: 'string', describe: 'i/n: run only points i-1, i-1+n, ... (shards numbered 1..n; join them with `yarn exp merge`)' })
        .option('traces', { type: 'string', describe: 'directory of trace files (default: data/traces, then ../shared/traces)' })
        .option('results', { type: 'string', default: 'results', describe: 'root of default results directories' })
        .check((a) => {
          if (!Number.isInteger(a.jobs) || a.jobs < 1) throw new Error(`--jobs must be a positive integer, got ${a.jobs}`);
          return true;
        }),
    (a) => run({ ...a, config: a.config as string }).catch(fail),
  )
  .command(
    'merge <dirs..>',
    'join the results directories of shards of one config into one, with a full report',
    (y) =>
      y
        .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'results directories of the shards' })
        .option('out', { type: 'string', describe: 'merged directory (default: results/<name>/<timestamp>-merged)' }),
    async (a) => {
      try {
        const dirs = a.dirs as string[];
        const name = RunDir.open(dirs[0]!).manifest().name;
        const merged = mergeRuns(dirs, a.out ?? resolve('results', name, `${timestampName()}-merged`));
        console.log((await writeReport(merged)).terminal);
      } catch (e) {
        fail(e);
      }
    },
  )
  .command(
    'report <dir>',
    "rewrite a finished run's report (results.json, CSV, summary, plots) from its unit files",
    (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a results directory' }),
    async (a) => {
      try {
        console.log((await writeReport(RunDir.open(a.dir as string))).terminal);
      } catch (e) {
        fail(e);
      }
    },
  )
  .command(submitCommand)
  .command('keys', 'print the config reference: every key, its type, default and meaning, and the sweep semantics', {}, () => {
    console.log(configReference());
  })
  .example('$0 configs/shift-vs-tp.yaml', 'the paper\'s DP / TP / SP / Shift comparison')
  .example('$0 configs/policies.yaml --shard 2/4 --out r/2', 'the second of four shards (e.g. a job array task)')
  .example('$0 merge r/1 r/2 r/3 r/4', 'join the four shards and write the full report')
  .example('$0 submit configs/policies.yaml --slurm --shards 4', 'the same on a Slurm cluster: a job array and a merge job')
  .example('$0 configs/policies.yaml --resume', 'continue the newest interrupted run of that config')
  .strict()
  .demandCommand(1)
  .help()
  .parseAsync();
