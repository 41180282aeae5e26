import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Experiment, type Results, loadExperiment, runExperiment, validateResults, writeReport } from '../../src/exp/index.ts';
import { type ExperimentId, STUDY, type StudyExperiment, type StudyResults, configPath } from './study.ts';

/**
 * Runs every experiment of the study with the experiment runner (src/exp), one results
 * directory each under the study directory (<dir>/<experiment id>/: results.json, summary.md,
 * requests.csv, units/), and reads back their results.json.
 */
export class StudyError extends Error {
  override readonly name = 'StudyError';
}

export interface StudyOptions {
  /** Worker threads per experiment (default: the machine's cores). */
  readonly jobs?: number;
  readonly log?: (line: string) => void;
}

/** Loads an experiment of the study; a trace it needs must be present (none is optional). */
export async function loadStudyExperiment(e: StudyExperiment): Promise<Experiment> {
  const exp = await loadExperiment(configPath(e));
  const skipped = exp.skipped[0];
  if (skipped) throw new StudyError(`${e.file}: workload '${skipped.workload}' cannot run: ${skipped.reason}`);
  return exp;
}

/**
 * Runs one experiment of the study into <dir>/<experiment id>/ and reads back its results.json
 * (what `yarn paper` does for each config; test/paper-claims.test.ts runs the ones the claims read).
 */
export async function runStudyExperiment(e: StudyExperiment, dir: string, o: StudyOptions = {}): Promise<Results> {
  const started = performance.now();
  const exp = await loadStudyExperiment(e);
  const outcome = await runExperiment(exp, { out: join(dir, e.id), ...(o.jobs === undefined ? {} : { jobs: o.jobs }) });
  const failed = outcome.failed[0];
  if (failed) throw new StudyError(`${e.file}: unit ${failed.label} failed: ${failed.error.name}: ${failed.error.message} (${outcome.failed.length} failed; the run is in ${outcome.dir.dir})`);
  await writeReport(outcome.dir);
  o.log?.(`${e.id}: ${outcome.manifest.units.length} units in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return readResults(dir, e);
}

export async function runStudy(dir: string, o: StudyOptions = {}): Promise<StudyResults> {
  const results: [ExperimentId, Results][] = [];
  for (const e of STUDY) results.push([e.id, await runStudyExperiment(e, dir, o)]);
  return Object.fromEntries(results) as StudyResults;
}

function readResults(dir: string, e: StudyExperiment): Results {
  const file = join(dir, e.id, 'results.json');
  if (!existsSync(file)) throw new StudyError(`${file} is missing: ${dir} is not a finished study directory of \`yarn paper\`; run \`yarn paper\` without --from`);
  return validateResults(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** The results.json of every experiment of a study directory. */
export function loadStudy(dir: string): StudyResults {
  return Object.fromEntries(STUDY.map((e): [ExperimentId, Results] => [e.id, readResults(dir, e)])) as StudyResults;
}
