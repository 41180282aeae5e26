/**
 * shiftlab's public API: what notebooks, scripts and other projects import. Everything not
 * listed here is internal and may change without notice.
 */

// Models.
export { allModels, getModel, modelNames } from './model/catalog.ts';
export { type Llama3RopeScaling, type ModelConfig, ModelConfigError } from './model/config.ts';
export { ropeInverseFrequencies } from './model/rope.ts';
export { CheckpointWeights } from './model/checkpoint.ts';
export { CheckpointError } from './model/safetensors.ts';

// Parallel layouts: modes and rank groups.
export { type FullTpOrder, fullTpGroup } from './parallel/groups.ts';
export { type Mode, ParallelConfigError } from './parallel/mode.ts';

// The KV layout verifier.
export * from './kv/index.ts';
export { type SweepRow, assertShiftDeployment, sweepDeployments, verifyDpAgainstTp, verifyShiftDeployment } from './strategies/deployment.ts';
export { shiftModes } from './strategies/shift.ts';
export { allStrategies, getStrategy, strategyNames } from './strategies/registry.ts';

// Switching policies.
export { HISTORY, type IterationState, PolicyError, type ModeId, type SwitchPolicy } from './policy/types.ts';
export { type PolicySpec, createPolicy, policyFromSpec, policyNames, policySummaries } from './policy/registry.ts';
export { thresholdPolicy } from './policy/threshold.ts';

// Traces and workloads.
export * from './traces/index.ts';

// Experiments: load a config, run it, write its report, read results.json.
export { type Experiment, type LoadOptions, loadExperiment } from './exp/config/load.ts';
export { ConfigError } from './exp/config/errors.ts';
export { type RunOptions, type RunOutcome, runExperiment } from './exp/runner.ts';
export { type ReportFiles, writeReport } from './exp/report/index.ts';
export { type LatencyStats, type PointResult, type Results, type SystemResult, validateResults } from './exp/results.ts';
export { ResultsDirError, RunDir } from './exp/store.ts';
export { type RunData, collectRun } from './exp/report/collect.ts';
export type { LatencyCdfs, Timeline, UnitResult } from './exp/unit.ts';
export { systemColours } from './exp/report/palette.ts';
export { renderSvg } from './exp/report/render.ts';
