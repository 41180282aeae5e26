import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitOnError } from '../../src/cli/errors.ts';
import { timestampName } from '../../src/exp/store.ts';
import { renderSvg } from '../../src/exp/report/render.ts';
import { getModel } from '../../src/model/catalog.ts';
import { ConfigError } from '../../src/exp/index.ts';
import { MissingSourceError, captureSizesText, constantRows, engineRows } from './calibration.ts';
import { claimsTable, llamaHeadline } from './claims.ts';
import { disagreements } from './explain.ts';
import { costFacts } from './facts.ts';
import { paperPlots } from './plots.ts';
import { currentCommit, readRunInfo, writeRunInfo } from './provenance.ts';
import { type ReadmeInput, renderReadme } from './readme.ts';
import type { HardwareProfile } from '../../src/cost/index.ts';
import { MissingResultError } from './results.ts';
import { StudyError, loadStudy, loadStudyExperiment, runStudy } from './run.ts';
import { type Sensitivity, runSensitivity } from './sensitivity.ts';
import { STUDY } from './study.ts';

/**
 * `yarn paper`: runs the whole study (every config of experiments/paper, then the sensitivity
 * runs) and writes experiments/paper/README.md and its SVG plots. `--from DIR` rewrites them from
 * a finished study directory without running anything but the cost-model facts.
 */
const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '../..');

/** The calibration's report (checked in beside this file by `yarn calibrate fit --report`) and its fit points. */
function fitOf(profile: HardwareProfile): ReadmeInput['calibration']['fit'] {
  const c = profile.calibration;
  if (!c) return null;
  const file = join(HERE, 'calibration-fit.md');
  if (!existsSync(file)) throw new StudyError(`${profile.name} is calibrated but ${relative(REPO, file)} is missing: run \`${c.command} --out src/cost/profiles/${profile.name}.json --report ${relative(REPO, file)}\``);
  return { report: readFileSync(file, 'utf8'), points: c.fit_points, looMape: c.loo_mape, trainMape: c.train_mape };
}

function checkBaseline(s: Sensitivity, study: ReturnType<typeof loadStudy>): void {
  const h = llamaHeadline(study);
  const off = Math.max(Math.abs(s.baseline.peakThroughput / h.peakThroughput - 1), Math.abs(s.baseline.ttft / h.ttft - 1));
  if (off > 1e-9) throw new StudyError(`the sensitivity baseline (${s.baseline.peakThroughput}, ${s.baseline.ttft}) differs from experiment 1 (${h.peakThroughput}, ${h.ttft}): the two do not run the same units`);
}

/** Errors the message of which says what to do: no stack. */
const USER_ERRORS = [StudyError, ConfigError, MissingResultError, MissingSourceError];

function fail(e: unknown): never {
  if (USER_ERRORS.some((c) => e instanceof c)) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(2);
  }
  return exitOnError(e);
}

async function generate(o: { from?: string | undefined; jobs: number; out: string }): Promise<void> {
  const started = performance.now();
  const log = (line: string): void => console.error(line);
  const dir = resolve(o.from ?? join(REPO, 'results', 'paper', timestampName()));
  const [llama, qwen, mooncake] = await Promise.all(['latency-peak-llama', 'latency-peak-qwen', 'mooncake'].map((id) => loadStudyExperiment(STUDY.find((e) => e.id === id)!)));
  let study;
  let sensitivity: Sensitivity;
  if (o.from === undefined) {
    log(`study: ${relative(REPO, dir)}`);
    study = await runStudy(dir, { jobs: o.jobs, log });
    sensitivity = await runSensitivity(llama!, dir, o.jobs);
    writeFileSync(join(dir, 'sensitivity.json'), `${JSON.stringify(sensitivity, null, 2)}\n`);
    log('sensitivity: done');
  } else {
    study = loadStudy(dir);
    const file = join(dir, 'sensitivity.json');
    if (!existsSync(file)) throw new StudyError(`${file} is missing: ${dir} is not a finished study of \`yarn paper\``);
    sensitivity = JSON.parse(readFileSync(file, 'utf8')) as Sensitivity;
  }
  checkBaseline(sensitivity, study);
  const claims = claimsTable(study);
  const facts = await costFacts(llama!, qwen!, mooncake!);
  const plots = paperPlots(study);
  for (const p of plots) writeFileSync(join(o.out, p.file), await renderSvg(p.spec));
  const info = o.from === undefined
    ? { date: new Date().toISOString().slice(0, 10), commit: currentCommit(REPO), wall_s: (performance.now() - started) / 1000, cores: availableParallelism() }
    : readRunInfo(dir);
  if (o.from === undefined) writeRunInfo(dir, info);
  const readme = renderReadme({
    study,
    claims,
    disagreements: disagreements({ study, claims, facts, sensitivity }),
    sensitivity,
    calibration: {
      profileName: llama!.profile.name,
      profile: constantRows(llama!.profile),
      engine: engineRows(llama!.points[0]!.systems[0]!.engine),
      captureSizes: captureSizesText(llama!.config.engine.max_num_batched_tokens),
      models: [getModel('llama-3.3-70b'), getModel('qwen3-32b')],
      fit: fitOf(llama!.profile),
    },
    plots,
    provenance: { command: 'yarn paper', date: info.date, commit: info.commit, wallSeconds: info.wall_s, cores: info.cores },
  });
  writeFileSync(join(o.out, 'README.md'), readme);
  const count = (v: string): number => claims.filter((c) => c.verdict === v).length;
  console.log(`${claims.length} claims: ${count('holds')} hold, ${count('by construction')} by construction, ${count('tie within 1%')} tie within 1%, ${count('partly')} partly, ${count('does not hold')} do not hold`);
  console.log(`wrote ${relative(process.cwd(), join(o.out, 'README.md'))} and ${plots.length} plots from ${relative(process.cwd(), dir)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await yargs(hideBin(process.argv))
  .scriptName('yarn paper')
  .usage('$0 [--from DIR]\n\nRuns every experiment of experiments/paper (the Shift Parallelism paper’s evaluation) and the sensitivity study, then writes experiments/paper/README.md and its plots.')
  .option('from', { type: 'string', describe: 'rewrite the README from a finished study directory (results/paper/<timestamp>) instead of running' })
  .option('jobs', { alias: 'j', type: 'number', default: availableParallelism(), describe: 'worker threads (default: the cores of this machine)' })
  .option('out', { type: 'string', default: HERE, describe: 'where README.md and the SVG plots go' })
  .check((a) => {
    if (!Number.isInteger(a.jobs) || a.jobs < 1) throw new Error(`--jobs must be a positive integer, got ${a.jobs}`);
    return true;
  })
  .strict()
  .help()
  .parseAsync()
  .then((a) => generate({ from: a.from, jobs: a.jobs, out: resolve(a.out) }))
  .catch(fail);
