/**
 * Experiments: a YAML config (schema, sweep expansion, resolution), a runner over a worker
 * pool with resume and shards, and the report (results.json contract, CSV, summary, plots).
 * The CLI (src/cli/exp.ts) is a thin layer over these.
 */
export { loadExperiment, type Experiment, type ExperimentSettings, type LoadOptions, type Point } from './config/load.ts';
export { ConfigError, type LocatedIssue } from './config/errors.ts';
export { experimentSchema, type ExperimentConfig, type SystemConfig, type EngineConfig } from './config/schema.ts';
export { configReference } from './config/reference.ts';
export type { ResolvedSystem } from './config/resolved-system.ts';
export type { ResolvedWorkload, SkippedWorkload } from './config/resolve-workload.ts';
export { runExperiment, type RunOptions, type RunOutcome } from './runner.ts';
export { runUnit, type UnitOutput } from './run-point.ts';
export { mergeRuns, MergeError } from './merge.ts';
export { submitSlurm, SlurmError, type SubmitOptions, type Submission } from './slurm/submit.ts';
export { writeReport, type ReportFiles } from './report/index.ts';
export { RunDir, ResultsDirError } from './store.ts';
export { lockDir, DirLockedError, type LockHolder } from './lock.ts';
export { provenanceOf, provenanceChanges, type Provenance } from './provenance.ts';
export { estimateRun, type RunEstimate } from './estimate.ts';
export { type RunManifest, type PlanPoint, type PlanSystem, buildManifest, configHash } from './manifest.ts';
export { parseShard, type Shard, ShardError } from './shard.ts';
export { loadSearch, loadAnyConfig, writeSearchReport, writeAnyReport, collectSearch, bisectCapacity, expectedProbes, type SearchOutcome, type RankedCandidate, type CandidatePlan, type CandidateSearch, type ProbeResult, type SearchManifest } from './search/index.ts';
export { createProgress, type Progress } from './progress.ts';
export { resultsSchema, systemResultSchema, pointResultSchema, latencyStatsSchema, validateResults, type Results, type SystemResult, type PointResult, type LatencyStats, type SystemExtras } from './results.ts';
export type { UnitInput, UnitFiles, UnitResult, UnitSummary, LatencyCdfs, Timeline } from './unit.ts';
