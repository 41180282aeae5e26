import { z } from 'zod';
import { modelNames } from '../../model/catalog.ts';
import { type RouterName, engineSettingsSchema, routerNames } from '../../sim/index.ts';
import { defaultPolicies, strategiesWith, strategyConfigKeys, strategyNames, strategySummaries } from '../../strategies/registry.ts';
import { workloadSchema } from './workload-schema.ts';

/**
 * The experiment config (YAML). Every key has a default (or is required, as noted) and a
 * description; `yarn exp keys` prints this schema as the config reference. Objects are strict:
 * an unknown key is an error naming its path. Placeholders `${var}` are substituted before
 * validation (see sweep.ts), so any value may be written as a placeholder.
 */

const DTYPES = ['fp8', 'bf16'] as const;
/** The simulator's default; written into the resolved config. */
export const DEFAULT_ROUTER: RouterName = 'least-outstanding';
const sweepValue = z.union([z.number(), z.string(), z.boolean()]);
/** Variable name → values; used by `sweep` (points) and a system's `expand` (systems). */
export const variablesSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is a letter or _ then letters, digits or _'), z.array(sweepValue).min(1));

/** The simulator's engine settings (vLLM's flag names; defaults: the paper's vLLM settings). */
export const engineSchema = engineSettingsSchema.describe("serving-engine settings, named as vLLM's flags; defaults are the paper's vLLM settings");

/**
 * Per-system changes: the engine keys without their defaults (zod's .partial() would keep the
 * defaults and so override the top-level settings with them).
 */
export const engineOverrideSchema = z
  .strictObject(
    Object.fromEntries(
      Object.entries(engineSettingsSchema.shape).map(([k, v]) => {
        const inner = v instanceof z.ZodDefault ? (v.def.innerType as z.ZodType) : v;
        return [k, inner.optional().describe(v.description ?? '')];
      }),
    ) as { [K in keyof typeof engineSettingsSchema.shape]: z.ZodOptional<z.ZodType<z.output<(typeof engineSettingsSchema.shape)[K]>>> },
  )
  .describe('per-system changes to the top-level engine settings');

/** A switching policy: a name (or name:arg), a name with parameters, or a user module. */
export const policySpecSchema = z.union([
  z.string().min(1),
  z.looseObject({ name: z.string().min(1) }),
  z.strictObject({ module: z.string().min(1), params: z.record(z.string(), z.unknown()).default({}) }),
]);

const policySpec = policySpecSchema.describe(
  `${strategiesWith('switching').join(', ')} only: 'threshold' | 'threshold:512' | {name: hysteresis, low, high, ...} | {module: ./policy.ts, params: {...}} (path relative to the config); default the strategy's (${defaultPolicies()})`,
);

/** The degree keys of every registered strategy (sp, tp, ...), each described per strategy. */
const degreeKeys = strategyConfigKeys() as { readonly sp: z.ZodOptional<z.ZodNumber>; readonly tp: z.ZodOptional<z.ZodNumber> };

export const systemSchema = z.strictObject({
  name: z.string().min(1).describe('names the system in results and plots (unique); DP, TP, SP and Shift have fixed colours'),
  strategy: z.enum(strategyNames() as [string, ...string[]]).describe(strategySummaries()),
  world: z.number().int().positive().optional().describe("GPUs; default: the hardware profile's GPUs per node"),
  ...degreeKeys,
  policy: policySpec.optional(),
  router: z.enum(routerNames() as [RouterName, ...RouterName[]]).optional().describe(`${strategiesWith('routed').join(', ')} only: how requests are spread over replicas; default ${DEFAULT_ROUTER}`),
  dtype: z.enum(DTYPES).optional().describe('weights dtype for this system; default: the top-level dtype'),
  kv_dtype: z.enum(DTYPES).optional().describe('KV-cache dtype for this system; default: the top-level kv_dtype'),
  engine: engineOverrideSchema.optional(),
  expand: variablesSchema.optional().describe('one system per combination of these values, substituted into ${var} placeholders (the name must use them)'),
});

const metricPath = z.enum([
  'ttft_ms.mean', 'ttft_ms.p50', 'ttft_ms.p90', 'ttft_ms.p99',
  'tpot_ms.mean', 'tpot_ms.p50', 'tpot_ms.p90', 'tpot_ms.p99',
  'itl_ms.mean', 'itl_ms.p50', 'itl_ms.p90', 'itl_ms.p99',
  'e2e_ms.mean', 'e2e_ms.p50', 'e2e_ms.p90', 'e2e_ms.p99',
  'throughput_tok_s', 'goodput_req_s',
]);
export type MetricPath = z.output<typeof metricPath>;

export const compareSchema = z.strictObject({
  label: z.string().optional().describe('what the line is called in the summary; default built from the other keys'),
  system: z.string().min(1).describe('the system under test (e.g. Shift)'),
  baseline: z.string().min(1).describe('the system it is compared with (e.g. TP)'),
  workload: z.string().min(1).describe('the workload (name) of the points compared'),
  metric: metricPath.describe('a results.json metric; ratio = baseline/system for latencies (× lower), system/baseline for throughput (× higher)'),
  paper: z.number().positive().optional().describe('the published ratio, printed beside ours'),
});

export const sloSchema = z
  .strictObject({
    ttft_ms: z.number().positive().describe('a request meets the SLO if its TTFT is at most this ...'),
    tpot_ms: z.number().positive().describe('... and its TPOT at most this (1-token requests: TTFT alone)'),
  })
  .describe('service-level objectives: goodput counts finished requests meeting both, per second and as a fraction; default: none (no goodput)');

export const reportSchema = z
  .strictObject({
    timeline_bins: z.number().int().min(10).max(5000).default(300).describe("time bins of Shift's mode/batch-token timeline plots"),
    cdf_points: z.number().int().min(10).max(2000).default(200).describe('quantiles drawn per CDF line'),
    plots: z.boolean().default(true).describe('render SVG plots and index.html'),
    percentiles: z
      .enum(['sketch', 'exact'])
      .default('sketch')
      .describe('TTFT/TPOT/E2E percentiles: sketch (exact up to 65,536 requests per unit, then DDSketch within 0.1%) or exact (sorted from each unit\'s request file: 24 bytes per request while it is summarised)'),
  })
  .describe('what the report draws');

/** The whole file. `systems` and `workloads` entries are validated one expanded instance at a time. */
export const experimentSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only (it names the results directory)').optional().describe("names the experiment and its results directory; default: the config file's name"),
  description: z.string().default('').describe('free text, copied into the report'),
  seed: z.union([z.number().int(), z.string()]).default(1).describe('seeds every synthetic workload (with the workload name)'),
  model: z.enum(modelNames() as [string, ...string[]]).default('llama-3.3-70b').describe('model from the catalog (src/model/catalog.ts)'),
  hardware: z.string().min(1).default('h200').describe('hardware profile: a built-in name (h200 calibrated, h200-roofline, h100-sxm, h100-sxm-roofline) or a .json path relative to the config'),
  dtype: z.enum(DTYPES).default('fp8').describe('weights dtype (the paper: fp8)'),
  kv_dtype: z.enum(DTYPES).default('bf16').describe('KV-cache dtype (the paper: bf16, fp8 for Qwen on Mooncake)'),
  engine: engineSchema.prefault({}),
  systems: z.array(systemSchema).min(1).describe('the systems compared at every point'),
  workloads: z.array(workloadSchema).min(1).describe('the workloads; each gives one point per combination of the sweep variables it uses'),
  sweep: variablesSchema.default({}).describe('variable → values; each combination used by a workload (or any system) is one point'),
  slo: sloSchema.optional(),
  compare: z.array(compareSchema).default([]).describe('ratios printed in the terminal summary and summary.md, beside published ones'),
  report: reportSchema.prefault({}),
});

export type ExperimentConfig = z.output<typeof experimentSchema>;
export type SystemConfig = z.output<typeof systemSchema>;
export type EngineConfig = z.output<typeof engineSchema>;
export type CompareConfig = z.output<typeof compareSchema>;
export type SloConfig = z.output<typeof sloSchema>;

/** The top level alone: systems and workloads are checked per instance after expansion. */
export const topLevelSchema = experimentSchema.extend({
  systems: z.array(z.unknown()).min(1).describe(experimentSchema.shape.systems.description ?? ''),
  workloads: z.array(z.unknown()).min(1).describe(experimentSchema.shape.workloads.description ?? ''),
});
