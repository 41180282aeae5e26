import type { Point } from './resolve.ts';
import type { ResolvedSystem } from './resolved-system.ts';
import { type ExperimentConfig, systemSchema } from './schema.ts';
import type { WorkloadConfig } from './workload-schema.ts';

/**
 * The config as it ran, every default filled in, still re-runnable: `systems` and `workloads`
 * entries keep what was written (placeholders, `expand`) and gain each key left to its default
 * when all of the entry's expanded instances agree on the value.
 */
/** A system's keys in schema order (the strategies' degree keys come from the registry). */
const SYSTEM_KEYS = Object.keys(systemSchema.shape);

function agreed(values: readonly unknown[]): { value: unknown } | undefined {
  if (values.length === 0 || values[0] === undefined) return undefined;
  const first = JSON.stringify(values[0]);
  return values.every((v) => JSON.stringify(v) === first) ? { value: values[0] } : undefined;
}

function fill(template: Record<string, unknown>, instances: readonly Record<string, unknown>[], order: readonly string[]): Record<string, unknown> {
  const keys = [...new Set([...order, ...Object.keys(template), ...instances.flatMap((i) => Object.keys(i))])];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k in template) out[k] = template[k];
    else {
      const a = agreed(instances.map((i) => i[k]));
      if (a) out[k] = a.value;
    }
  }
  return out;
}

interface Valid {
  readonly workloadTemplate: number;
  readonly workload: WorkloadConfig | undefined;
}

export function resolvedConfig(
  cfg: Omit<ExperimentConfig, 'systems' | 'workloads'> & { name: string },
  templates: { readonly systems: readonly unknown[]; readonly workloads: readonly unknown[] },
  valid: readonly Valid[],
  points: readonly Point[],
): Record<string, unknown> {
  const systemsOf = (i: number): Record<string, unknown>[] =>
    points.flatMap((p) => p.systems.filter((s) => s.template === i)).map((s: ResolvedSystem) => {
      // The engine is written per system only where the config overrides it.
      const { template: _t, engine: _e, dtype: _d, kv_dtype: _k, ...rest } = s;
      return rest;
    });
  const workloadsOf = (j: number): Record<string, unknown>[] => valid.filter((v) => v.workloadTemplate === j && v.workload).map((v) => v.workload as Record<string, unknown>);
  const { name, description, seed, model, hardware, dtype, kv_dtype, engine, sweep, slo, compare, report } = cfg;
  return {
    name, description, seed, model, hardware, dtype, kv_dtype, engine,
    systems: templates.systems.map((t, i) => fill(t as Record<string, unknown>, systemsOf(i), SYSTEM_KEYS)),
    workloads: templates.workloads.map((t, j) => fill(t as Record<string, unknown>, workloadsOf(j), ['name'])),
    sweep, slo, compare, report,
  };
}
