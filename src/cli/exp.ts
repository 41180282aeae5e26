import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { ConfigError } from '../exp/config/errors.ts';
import type { Experiment } from '../exp/config/load.ts';
import { configReference } from '../exp/config/reference.ts';
import { CONFIRM_ABOVE, describeEstimate, estimateRun, needsConfirmation } from '../exp/estimate.ts';
import { DirLockedError } from '../exp/lock.ts';
import { SlurmError } from '../exp/slurm/submit.ts';
import { MergeError, mergeRuns } from '../exp/merge.ts';
import { createProgress } from '../exp/progress.ts';
import { collectRun } from '../exp/report/collect.ts';
import { nothingFinished } from '../exp/report/warnings.ts';
import { runExperiment } from '../exp/runner.ts';
import { expectedProbes, isSearchFile, loadAnyConfig, loadSearch, writeAnyReport } from '../exp/search/index.ts';
import { SearchReportError } from '../exp/search/rank.ts';
import { type Shard, ShardError, inShard, parseShard } from '../exp/shard.ts';
import { ResultsDirError, RunDir, timestampName } from '../exp/store.ts';
import { tracesDirs } from '../traces/discover.ts';
import { UsageError, isUserError } from './errors.ts';
import type { ExpIo } from './exp-io.ts';
import { submitCommand } from './exp-submit.ts';
import { invokedAs } from './invocation.ts';

/** Errors of the experiment layer the user can fix from the message alone. */
const EXP_USER_ERRORS = [ConfigError, ResultsDirError, ShardError, MergeError, DirLockedError, SlurmError, SearchReportError];

function exitCodeOf(e: unknown, io: ExpIo): number {
  if (EXP_USER_ERRORS.some((c) => e instanceof c) || isUserError(e)) {
    io.err(`error: ${(e as Error).message}`);
    if (e instanceof UsageError) io.err(`(${io.command} --help lists the commands and options)`);
    return 2;
  }
  io.err(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return 1;
}

interface RunArgs {
  readonly config: string;
  readonly out?: string | undefined;
  readonly resume?: string | undefined;
  readonly jobs: number;
  readonly shard?: string | undefined;
  readonly traces?: string | undefined;
  readonly results: string;
  readonly dryRun: boolean;
  readonly yes: boolean;
  /** `yarn exp search`: the config must be a search. */
  readonly search?: boolean;
}

/** Prints the plan and its estimate; false when the user declines a large run. */
async function confirmPlan(e: Experiment, shard: Shard | null, a: RunArgs, io: ExpIo): Promise<boolean> {
  const inThisShard = (index: number): boolean => shard === null || inShard(index, shard);
  const points = e.points.filter((p) => inThisShard(p.index));
  const systems = Math.max(0, ...e.points.map((p) => p.systems.length));
  // A search's unit runs the reference load and up to `probes` bisection runs.
  const probes = e.search === undefined ? 0 : expectedProbes(e.search.probe.rate.min, e.search.probe.rate.max, e.search.probe.rate.tolerance);
  const candidates = points.reduce((n, p) => n + p.systems.length, 0);
  const estimate = estimateRun(points, (p) => p.systems.length * (1 + probes), a.jobs, e.search === undefined ? undefined : candidates);
  const what = e.search === undefined ? `${points.length} point(s) × ${systems} system(s)` : `${points.length} candidate(s), each the reference load and up to ${probes} bisection run(s)`;
  // The estimator counts simulations; a search's unit (a candidate) runs several.
  const plan = describeEstimate(estimate, `${what}${shard ? `, shard ${shard.index}/${shard.count}` : ''}`, e.search === undefined ? 'unit(s)' : 'simulation(s)');
  io.err(`${e.config.name}: ${plan}${a.resume === undefined ? '' : '; finished units of the resumed run are not redone'}`);
  if (a.dryRun || a.yes || !needsConfirmation(estimate)) return true;
  if (!io.interactive) {
    io.err('note: a large run; starting without asking, as stdin is not a terminal (in a terminal it asks first; --yes skips the question)');
    return true;
  }
  return io.ask('This is a large run. Start it? [y/N] (--yes skips this question) ');
}

async function run(a: RunArgs, io: ExpIo): Promise<number> {
  const shard = a.shard === undefined ? null : parseShard(a.shard);
  if (a.search === true && !isSearchFile(a.config)) throw new UsageError(`${a.config} has no search: section; a search config states the space, the rates and the SLO (see ${io.command} keys), or run it as an experiment: ${io.command} ${a.config}`);
  const load = a.search === true ? loadSearch : loadAnyConfig;
  const experiment = await load(a.config, { tracesDirs: tracesDirs(a.traces) });
  for (const s of experiment.skipped) io.err(`note: skipping workload '${s.workload}': ${s.reason}`);
  if (experiment.search !== undefined) describeSpace(experiment, io);
  if (experiment.points.length === 0 && experiment.search === undefined) throw new ConfigError(a.config, [{ path: ['workloads'], message: 'nothing to run: every workload was skipped' }]);
  if (!(await confirmPlan(experiment, shard, a, io))) {
    io.err('not started');
    return 1;
  }
  if (a.dryRun) {
    for (const p of experiment.points.filter((x) => shard === null || inShard(x.index, shard))) {
      if (experiment.search !== undefined) {
        io.out(`${p.id}  ${p.systems[0]!.name}`);
        continue;
      }
      const vars = Object.entries(p.params).filter(([k]) => k !== 'workload').map(([k, v]) => `${k} = ${v}`);
      io.out(`${p.id}  ${p.workload.name}${vars.length > 0 ? ` (${vars.join(', ')})` : ''}: ${p.systems.map((s) => s.name).join(', ')}`);
    }
    io.err('dry run: the config is valid; nothing was run or written');
    return 0;
  }
  const started = performance.now();
  const outcome = await runExperiment(experiment, {
    ...(a.out === undefined ? {} : { out: a.out }),
    ...(a.resume === undefined ? {} : { resume: a.resume === '' ? true : a.resume }),
    resultsRoot: a.results,
    jobs: a.jobs,
    shard,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    progress: createProgress(io.progress, { tty: io.progress.isTTY === true }),
    onNote: (m) => io.err(`note: ${m}`),
  });
  const dir = outcome.dir.dir;
  const again = `${io.command} ${a.config}${a.shard === undefined ? '' : ` --shard ${a.shard}`} --resume ${dir}`;
  if (outcome.interrupted) {
    io.err(`stopped with ${outcome.reused.length + outcome.ran.length} of ${outcome.manifest.units.length} units finished; continue with: ${again}`);
    return 130;
  }
  if (outcome.failed.length > 0) {
    for (const f of outcome.failed) io.err(`unit ${f.label} failed: ${f.error.name}: ${f.error.message}`);
    io.err(`${outcome.failed.length} unit(s) failed; the others are saved in ${dir}. Fix the cause and run: ${again}`);
    return 1;
  }
  const report = await writeAnyReport(outcome.dir);
  io.out(report.terminal);
  io.err(`done in ${((performance.now() - started) / 1000).toFixed(1)} s (${outcome.ran.length} unit(s) run, ${outcome.reused.length} reused)`);
  return experiment.search === undefined ? finishedAnything(outcome.dir, io) : 0;
}

/** A search's candidates: those simulated, and those not with the reason (on stderr, before the plan). */
function describeSpace(e: Experiment, io: ExpIo): void {
  const c = e.search!.manifest.candidates;
  const count = (status: string): number => c.filter((x) => x.status === status).length;
  io.err(`${e.config.name}: ${c.length} candidate(s) in the space: ${count('simulated')} to simulate, ${count('pruned')} pruned by a bound, ${count('undeployable')} undeployable`);
  for (const x of c.filter((y) => y.status !== 'simulated')) io.err(`  ${x.status}: ${x.name}: ${x.reason}`);
}

/** A run in which no unit finished a request measured nothing: say so and fail (the warnings above say why). */
function finishedAnything(dir: RunDir, io: ExpIo): number {
  if (!nothingFinished(collectRun(dir))) return 0;
  io.err(`error: no request finished at any point: every request was rejected (see the warnings above); the report in ${dir.dir} shows the rejections`);
  return 1;
}

/** The options of a run (and of a search, which runs like one). */
function runOptions<T>(y: Argv<T>, cores: number) {
  return y
    .option('out', { type: 'string', describe: 'results directory (default: <results>/<name>/<timestamp>[-shard-IofN])' })
    .option('resume', { type: 'string', describe: 'continue an interrupted run: its directory, or no value for the newest run of this config (and shard); finished units are not redone. Refused when the config, the code or a file it reads (policy module, trace, hardware JSON) changed since' })
    .option('jobs', { alias: 'j', type: 'number', default: cores, describe: 'worker threads running units in parallel (default: the cores of this machine; 1 runs them in this process)' })
    .option('shard', { type: 'string', describe: 'i/n: run only points (of a search: candidates) i-1, i-1+n, ... (shards numbered 1..n; join them with `merge`)' })
    .option('traces', { type: 'string', describe: 'directory of trace files (default: data/traces, then ../shared/traces)' })
    .option('results', { type: 'string', default: 'results', describe: 'root of default results directories' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'validate the config (traces included) and print the plan and its estimate; run and write nothing' })
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: `start without asking: in a terminal a run estimated above ${CONFIRM_ABOVE.units.toLocaleString('en-US')} units or ${CONFIRM_ABOVE.seconds / 60} min asks first (elsewhere it never asks)` });
}

function runArgs(a: { config?: string; out?: string | undefined; resume?: string | undefined; jobs: number; shard?: string | undefined; traces?: string | undefined; results: string; 'dry-run': boolean; yes: boolean }): RunArgs {
  if (!Number.isInteger(a.jobs) || a.jobs < 1) throw new UsageError(`--jobs must be a positive integer, got ${Number.isNaN(a.jobs) ? 'not a number' : a.jobs}`);
  return { ...a, config: a.config as string, dryRun: a['dry-run'] };
}

/**
 * `yarn exp`: run, resume, merge and report experiments. `expMain` is the whole program as a
 * function of its arguments and its IO, returning the exit code, so tests run it in-process;
 * the bottom of the file wires it to the process (signals, stdin, exit code).
 *
 * Exit codes: 0 done; 1 a unit failed, no request finished anywhere, the user declined to
 * start, or a bug (with its stack); 2 invalid input (config, arguments, results directory,
 * a directory locked by another run), nothing written; 130 interrupted (finished units kept).
 */
export async function expMain(argv: readonly string[], io: ExpIo): Promise<number> {
  let code = 0;
  const cores = availableParallelism();
  const cli = yargs([...argv])
    .scriptName(io.command)
    .usage('$0 <config.yaml> [options]\n\nRuns an experiment: every system of the config on every point (workload × sweep values) in the serving simulator, then writes results.json, requests.csv, summary.md, SVG plots and index.html to results/<name>/<timestamp>/.')
    .command(
      '$0 <config>',
      'run (or resume) an experiment; a config with a search: section runs its search (as `search`)',
      (y) => runOptions(y.positional('config', { type: 'string', demandOption: true, describe: 'experiment YAML (see `keys`)' }), cores),
      async (a) => {
        code = await run(runArgs(a), io);
      },
    )
    .command(
      'search <config>',
      'find the deployment and policy with the highest capacity: for every candidate of the config\'s search space (strategies × (s, t) layouts × policies × engine values), the highest arrival rate meeting the SLO, by bisection; writes a ranked table, a Pareto plot, capacity curves and the winner as an experiment YAML',
      (y) => runOptions(y.positional('config', { type: 'string', demandOption: true, describe: 'search YAML: a config with a search: section (see `keys`)' }), cores),
      async (a) => {
        code = await run({ ...runArgs(a), search: true }, io);
      },
    )
    .command(
      'merge <dirs..>',
      'join the results directories of shards of one config into one, with a full report (refuses duplicates, shards of other configs or code, and missing shards)',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'results directories of the shards' })
          .option('out', { type: 'string', describe: 'merged directory, which must not hold a run yet (default: results/<name>/<timestamp>-merged)' }),
      async (a) => {
        const dirs = a.dirs as string[];
        const name = RunDir.open(dirs[0]!).manifest().name;
        const merged = mergeRuns(dirs, a.out ?? resolve('results', name, `${timestampName()}-merged`), io.command);
        io.out((await writeAnyReport(merged)).terminal);
      },
    )
    .command(
      'report <dir>',
      "rewrite a finished run's report (results.json, CSV, summary, plots) from its unit files",
      (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'a results directory' }),
      async (a) => {
        io.out((await writeAnyReport(RunDir.open(a.dir as string))).terminal);
      },
    )
    .command(submitCommand(io))
    .command('keys', 'print the config reference: every key, its type, default and meaning, the sweep semantics and the search section', {}, () => {
      io.out(configReference());
    })
    .example('$0 configs/shift-vs-tp.yaml', "the paper's DP / TP / SP / Shift comparison")
    .example('$0 configs/policies.yaml --dry-run', 'check the config and see how big the run is')
    .example('$0 configs/policies.yaml --shard 2/4 --out r/2', 'the second of four shards (e.g. a job array task)')
    .example('$0 merge r/1 r/2 r/3 r/4', 'join the four shards and write the full report')
    .example('$0 submit configs/policies.yaml --slurm --shards 4', 'the same on a Slurm cluster: a job array and a merge job')
    .example('$0 configs/policies.yaml --resume', 'continue the newest interrupted run of that config')
    .example('$0 search configs/search-azure-code.yaml', 'the best deployment and policy for the Azure code trace under an SLO, and how much load it holds')
    .epilog('Exit codes: 0 done; 1 a unit failed or no request finished; 2 invalid input (nothing written); 130 interrupted.')
    .strict()
    .demandCommand(1)
    .help()
    .exitProcess(false)
    // Errors of arguments: the message and where to look, not the whole help text.
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await cli.parseAsync();
  } catch (e) {
    return exitCodeOf(e, io);
  }
  return code;
}

/** The process's IO: stdout / stderr lines, progress on stderr, questions on stdin. */
function processIo(signal: AbortSignal): ExpIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    progress: process.stderr,
    interactive: process.stdin.isTTY === true,
    ask: (question) =>
      new Promise((answer) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        let replied = false;
        rl.question(question, (reply) => {
          replied = true;
          rl.close();
          answer(/^y(es)?$/i.test(reply.trim()));
        });
        rl.on('close', () => replied || answer(false));
      }),
    signal,
    command: invokedAs('exp'),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const controller = new AbortController();
  // Ctrl-C, or a batch scheduler's SIGTERM before its SIGKILL: stop, keeping finished units.
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupted: stopping; finished units are kept (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.exitCode = await expMain(process.argv.slice(2), processIo(controller.signal));
}
