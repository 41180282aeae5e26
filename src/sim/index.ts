/**
 * The serving simulator: a vLLM V1-like engine (continuous batching, chunked prefill, paged KV,
 * preemption by recompute, optional prefix caching, CUDA-graph padding) whose iteration times
 * come from the cost model, for every registered strategy (strategyNames()).
 *
 *   const result = await simulate(
 *     { name: 'my-system', strategy: strategyNames()[0]!, world: 8, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8' },
 *     loadTrace('azure_conv.csv'),
 *     { slo: { ttft_ms: 2000, tpot_ms: 100 } },
 *   );
 */
export { simulate } from './simulate.ts';
export { createDeployment, type Deployment } from './system.ts';
export { type EngineSettings, engineSettingsSchema, resolveEngineSettings } from './settings.ts';
export { createRouter, routerNames, type RouterName } from './routers/registry.ts';
export type { ReplicaLoad, Router } from './routers/types.ts';
export { fromArray, synthetic } from './streams.ts';
export { SimConfigError, TraceOrderError } from './errors.ts';
export type { IterationRow, RequestRow, SimOptions, SimResult, Slo, SystemSpec } from './types.ts';
export { Distribution, interpolated, type PercentileMethod, SKETCH_RELATIVE_ACCURACY, type Summary } from './metrics/distribution.ts';
export type { QueueStats } from './metrics/queue.ts';
