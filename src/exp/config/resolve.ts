import type { KeyIssue } from '../../util/issues.ts';
import type { ValidPoint } from './checks.ts';
import type { ResolveContext } from './context.ts';
import { describeVars, type Vars } from './placeholders.ts';
import { resolveSystem } from './resolve-system.ts';
import { type ResolvedWorkload, type SkippedWorkload, resolveWorkload } from './resolve-workload.ts';
import type { ResolvedSystem } from './resolved-system.ts';

/** One point of the experiment: a workload instance and the systems run on it. */
export interface Point {
  readonly index: number;
  /** 'p000', 'p001', ... (file names, logs). */
  readonly id: string;
  readonly params: Vars;
  readonly workload: ResolvedWorkload;
  readonly systems: readonly ResolvedSystem[];
}

/**
 * Resolves every point's workload and systems (each distinct instance once). Points of a
 * workload skipped as optional are left out and noted; problems go to `issues`, with the
 * expand/sweep values that produced them.
 */
export async function resolvePoints(valid: readonly ValidPoint[], ctx: ResolveContext, issues: KeyIssue[]): Promise<{ points: Point[]; skipped: SkippedWorkload[] }> {
  const systems = new Map<string, Promise<ResolvedSystem | undefined>>();
  const workloads = new Map<string, ResolvedWorkload | SkippedWorkload | undefined>();
  const points: Point[] = [];
  const skipped = new Map<string, SkippedWorkload>();
  for (const p of valid) {
    if (!p.workload) continue;
    const wKey = JSON.stringify(p.workload);
    if (!workloads.has(wKey)) workloads.set(wKey, withVars(issues, p.params, (into) => resolveWorkload(p.workload!, p.workloadTemplate, ctx, into)));
    const workload = workloads.get(wKey);
    const resolved = await Promise.all(
      p.systems.map((s) => {
        if (!s.config) return undefined;
        const key = `${s.template}:${JSON.stringify(s.config)}`;
        if (!systems.has(key)) systems.set(key, withVarsAsync(issues, s.vars, (into) => resolveSystem(s.config!, s.template, ctx, into)));
        return systems.get(key)!;
      }),
    );
    if (workload === undefined || resolved.some((s) => s === undefined)) continue;
    if ('spec' in workload) points.push({ index: points.length, id: '', params: p.params, workload, systems: resolved as ResolvedSystem[] });
    else skipped.set(workload.workload, workload);
  }
  const width = Math.max(3, String(points.length - 1).length);
  return { points: points.map((p) => ({ ...p, id: `p${String(p.index).padStart(width, '0')}` })), skipped: [...skipped.values()] };
}

/** Runs `f`, adding "(where v = x)" to the issues it raises when the instance had variables. */
function withVars<T>(issues: KeyIssue[], vars: Vars, f: (into: KeyIssue[]) => T): T {
  const into: KeyIssue[] = [];
  const out = f(into);
  issues.push(...suffixed(into, vars));
  return out;
}

async function withVarsAsync<T>(issues: KeyIssue[], vars: Vars, f: (into: KeyIssue[]) => Promise<T>): Promise<T> {
  const into: KeyIssue[] = [];
  const out = await f(into);
  issues.push(...suffixed(into, vars));
  return out;
}

function suffixed(list: readonly KeyIssue[], vars: Vars): KeyIssue[] {
  const own = Object.fromEntries(Object.entries(vars).filter(([k]) => k !== 'workload'));
  const where = Object.keys(own).length > 0 ? ` (where ${describeVars(own)})` : '';
  return list.map((i) => ({ ...i, message: i.message + where }));
}
