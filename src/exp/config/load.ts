import { basename, dirname, extname, resolve } from 'node:path';
import { getProfile } from '../../cost/profiles/index.ts';
import type { HardwareProfile } from '../../cost/profile.ts';
import { getModel } from '../../model/catalog.ts';
import { tracesDirs as defaultTracesDirs } from '../../traces/discover.ts';
import type { KeyIssue } from '../../util/issues.ts';
import { checkTraceRows } from './check-traces.ts';
import { checkNames, type ValidPoint } from './checks.ts';
import { configErrorOf } from './errors.ts';
import { expandPoints } from './expand.ts';
import { type Point, resolvePoints } from './resolve.ts';
import type { SkippedWorkload } from './resolve-workload.ts';
import { resolvedConfig } from './resolved.ts';
import { type ExperimentConfig, topLevelSchema, variablesSchema } from './schema.ts';
import { validateSystem, validateWorkload } from './validate.ts';
import { readConfigSource } from './yaml-source.ts';
import type { SearchPlan } from './search-plan.ts';
import { describeZodIssues } from './zod-issues.ts';

export type { Point } from './resolve.ts';

/** The top-level settings of an experiment, every default filled in. */
export type ExperimentSettings = Omit<ExperimentConfig, 'systems' | 'workloads' | 'name'> & { readonly name: string };

/** A loaded, validated and fully resolved experiment. */
export interface Experiment {
  readonly file: string;
  /** Relative paths in the config (hardware JSON, policy modules, traces) start here. */
  readonly baseDir: string;
  readonly config: ExperimentSettings;
  readonly profile: HardwareProfile;
  readonly points: readonly Point[];
  /** Optional workloads left out because their trace is missing. */
  readonly skipped: readonly SkippedWorkload[];
  /** The config with every default filled in (written as config.yaml beside the results). */
  readonly resolved: Record<string, unknown>;
  /** A search (a config with a `search:` section, see search/load.ts): its plan and what each unit bisects. */
  readonly search?: SearchPlan;
}

export interface LoadOptions {
  /** Where trace names are looked up (default: data/traces, then ../shared/traces). */
  readonly tracesDirs?: readonly string[];
}

/**
 * Reads, validates, expands and resolves an experiment config. Throws one ConfigError listing
 * every problem found, each with its line, key path and what was expected.
 */
export async function loadExperiment(file: string, o: LoadOptions = {}): Promise<Experiment> {
  const source = readConfigSource(file);
  const issues: KeyIssue[] = [];
  const fail = (): never => {
    throw configErrorOf(file, issues, (i) => source.locate(i));
  };
  const data = source.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    issues.push({ path: [], message: 'expected a mapping of keys (name, systems, workloads, ...)' });
    return fail();
  }
  const raw = data as Record<string, unknown>;
  const withName = { name: basename(file, extname(file)), ...raw };
  const top = topLevelSchema.safeParse(withName, { reportInput: true });
  if (!top.success) issues.push(...describeZodIssues(top.error.issues, topLevelSchema, withName));
  // With a broken top level, still expand with a valid sweep so that every entry gets checked.
  const sweepOnly = variablesSchema.safeParse(raw.sweep ?? {});
  const sweep = top.success ? top.data.sweep : sweepOnly.success ? sweepOnly.data : {};
  const templates = { systems: Array.isArray(raw.systems) ? (raw.systems as unknown[]) : [], workloads: Array.isArray(raw.workloads) ? (raw.workloads as unknown[]) : [] };
  const valid: ValidPoint[] = expandPoints({ ...templates, sweep }, issues).map((p) => ({
    params: p.params,
    workloadTemplate: p.workload.template,
    workload: validateWorkload(p.workload, templates.workloads, issues),
    systems: p.systems.map((s) => ({ template: s.template, vars: s.vars, config: validateSystem(s, templates.systems, issues) })),
  }));
  checkNames(valid, top.success ? top.data.compare : [], issues);
  if (!top.success) return fail();

  const { systems: _s, workloads: _w, ...config } = top.data as ExperimentConfig & { name: string };
  const baseDir = dirname(resolve(file));
  let profile: HardwareProfile;
  try {
    profile = getProfile(config.hardware.endsWith('.json') ? resolve(baseDir, config.hardware) : config.hardware);
  } catch (e) {
    issues.push({ path: ['hardware'], message: (e as Error).message });
    return fail();
  }
  const ctx = {
    model: getModel(config.model), profile, gpusPerNode: profile.gpus_per_node, dtype: config.dtype, kv_dtype: config.kv_dtype, engine: config.engine,
    seed: config.seed, baseDir, tracesDirs: o.tracesDirs ?? defaultTracesDirs(),
  };
  const { points, skipped } = await resolvePoints(valid, ctx, issues);
  if (issues.length > 0) return fail();
  const counted = await checkTraceRows(points.map((p) => p.workload), issues);
  if (issues.length > 0) return fail();
  const withCounts = points.map((p) => ({ ...p, workload: counted.get(p.workload) ?? p.workload }));
  return { file, baseDir, config, profile, points: withCounts, skipped, resolved: resolvedConfig(config, templates, valid, points) };
}
