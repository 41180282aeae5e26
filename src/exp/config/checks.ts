import type { KeyIssue } from '../../util/issues.ts';
import type { CompareConfig, SystemConfig } from './schema.ts';
import { didYouMean } from './suggest.ts';
import type { WorkloadConfig } from './workload-schema.ts';

/** A point after schema validation (entries that failed it are undefined). */
export interface ValidPoint {
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly workloadTemplate: number;
  readonly workload: WorkloadConfig | undefined;
  readonly systems: readonly { readonly template: number; readonly vars: Readonly<Record<string, number | string | boolean>>; readonly config: SystemConfig | undefined }[];
}

/**
 * Cross-entry checks: system names unique at every point (an expanded entry must use its
 * variables in the name), workload names unique, and `compare` naming existing ones.
 */
export function checkNames(points: readonly ValidPoint[], compare: readonly CompareConfig[], issues: KeyIssue[]): void {
  const systemNames = new Set<string>();
  for (const p of points) {
    const seen = new Map<string, number>();
    for (const s of p.systems) {
      if (!s.config) continue;
      const other = seen.get(s.config.name);
      if (other !== undefined) {
        const message = other === s.template ? `expands to the name '${s.config.name}' more than once; use every expand variable in the name` : `duplicate system name '${s.config.name}' (also systems[${other}])`;
        issues.push({ path: ['systems', s.template, 'name'], message });
      }
      seen.set(s.config.name, s.template);
      systemNames.add(s.config.name);
    }
  }
  const workloads = new Map<string, number>();
  for (const p of points) {
    if (!p.workload) continue;
    const t = workloads.get(p.workload.name);
    if (t !== undefined && t !== p.workloadTemplate) issues.push({ path: ['workloads', p.workloadTemplate, 'name'], message: `duplicate workload name '${p.workload.name}' (also workloads[${t}])` });
    if (t === undefined) workloads.set(p.workload.name, p.workloadTemplate);
  }
  const systems = [...systemNames];
  const names = [...workloads.keys()];
  compare.forEach((c, i) => {
    for (const key of ['system', 'baseline'] as const) {
      if (!systemNames.has(c[key])) issues.push({ path: ['compare', i, key], message: `no system named '${c[key]}'${didYouMean(c[key], systems)} (systems: ${systems.join(', ')})` });
    }
    if (!workloads.has(c.workload)) issues.push({ path: ['compare', i, 'workload'], message: `no workload named '${c.workload}'${didYouMean(c.workload, names)} (workloads: ${names.join(', ')})` });
  });
}
