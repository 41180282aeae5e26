/**
 * `yarn exp search`: the deployment and policy with the highest capacity (arrival rate meeting
 * an SLO) over a space of strategies, layouts, policies and engine settings. A search is planned
 * as an experiment (one unit per candidate, see load.ts), so running, resuming, sharding and
 * merging are the experiment runner's; only its report is its own (report.ts).
 */
import { type Experiment, type LoadOptions, loadExperiment } from '../config/load.ts';
import { writeReport, type ReportFiles } from '../report/index.ts';
import type { RunDir } from '../store.ts';
import { isSearchFile, loadSearch } from './load.ts';
import { writeSearchReport } from './report.ts';

export { isSearchFile, loadSearch } from './load.ts';
export { writeSearchReport } from './report.ts';
export { collectSearch, type SearchOutcome, type RankedCandidate } from './rank.ts';
export { bisectCapacity, expectedProbes } from './bisect.ts';
export type { CandidatePlan, CandidateSearch, ProbeResult, SearchManifest } from '../config/search-plan.ts';

/** An experiment or a search, by whether the file has a `search:` section. */
export function loadAnyConfig(file: string, o: LoadOptions = {}): Promise<Experiment> {
  return isSearchFile(file) ? loadSearch(file, o) : loadExperiment(file, o);
}

/** The report of a finished run: a search's, or an experiment's. */
export function writeAnyReport(dir: RunDir): Promise<ReportFiles> {
  return dir.manifest().search === undefined ? writeReport(dir) : writeSearchReport(dir);
}
