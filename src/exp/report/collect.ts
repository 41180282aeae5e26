import type { PlanPoint, RunManifest } from '../manifest.ts';
import { ResultsDirError, type RunDir } from '../store.ts';
import type { UnitResult } from '../unit.ts';

/** Everything a report is made of: the manifest and every unit's result, in plan order. */
export interface RunData {
  readonly manifest: RunManifest;
  readonly points: readonly { readonly plan: PlanPoint; readonly units: readonly UnitResult[] }[];
  /** System names in config order (their colours follow it). */
  readonly systems: readonly string[];
}

/** Reads a run's units; throws naming the missing ones unless every unit of the directory finished. */
export function collectRun(dir: RunDir): RunData {
  const manifest = dir.manifest();
  const mine = new Set(manifest.units);
  const missing: string[] = [];
  const points = manifest.points
    .filter((p) => p.systems.some((s) => mine.has(s.unit)))
    .map((plan) => ({
      plan,
      units: plan.systems.flatMap((s) => {
        const r = dir.readUnit(s.unit, manifest.config_hash);
        if (!r) missing.push(s.unit);
        return r ? [r] : [];
      }),
    }));
  if (missing.length > 0) throw new ResultsDirError(`${dir.dir}: ${missing.length} unit(s) not finished (${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}); run with --resume ${dir.dir}`);
  const systems = [...new Set(manifest.points.flatMap((p) => p.systems.map((s) => s.name)))];
  return { manifest, points, systems };
}

/** "azure-code" or "rate-sweep (rate = 4)": how a point is labelled in tables and plots. */
export function pointLabel(p: PlanPoint): string {
  const vars = Object.entries(p.params).filter(([k]) => k !== 'workload');
  return vars.length === 0 ? p.workload : `${p.workload} (${vars.map(([k, v]) => `${k} = ${v}`).join(', ')})`;
}
