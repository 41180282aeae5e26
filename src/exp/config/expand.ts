import type { KeyIssue } from '../../util/issues.ts';
import { variablesSchema } from './schema.ts';
import { type VarValue, type Vars, combinations, referencedVars, substitute } from './placeholders.ts';
import { describeZodIssues } from './zod-issues.ts';

/**
 * Sweep semantics (documented in the config reference):
 *  - A system with `expand: {v: [...]}` becomes one system per combination of its values, with
 *    `${v}` substituted in that system (its name must use them, so names stay unique).
 *  - `sweep: {v: [...]}` makes points. A workload's points are every combination of the sweep
 *    variables it uses, plus those any system uses (they apply to every workload). A workload
 *    using none is one point. A sweep variable nobody uses is an error.
 *  - A point's params are `{workload: <name>, ...its sweep values}`.
 */
export interface RawInstance {
  /** Index of the entry in the config's `systems` or `workloads` list (for error paths). */
  readonly template: number;
  /** The variables substituted into it. */
  readonly vars: Vars;
  readonly value: Record<string, unknown>;
}

export interface RawPoint {
  readonly params: Vars;
  readonly workload: RawInstance;
  readonly systems: readonly RawInstance[];
}

type VarLists = Readonly<Record<string, readonly VarValue[]>>;

/** The variables of `vars` that `names` holds. */
function pick(vars: Vars, names: ReadonlySet<string>): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => names.has(k)));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Systems after `expand`, still holding sweep placeholders. */
function expandSystems(systems: readonly unknown[], sweep: ReadonlySet<string>, issues: KeyIssue[]): RawInstance[] {
  return systems.flatMap((raw, i): RawInstance[] => {
    if (!isObject(raw)) {
      issues.push({ path: ['systems', i], message: 'expected a mapping with name, strategy, ...' });
      return [];
    }
    const { expand, ...template } = raw;
    if (expand === undefined) return [{ template: i, vars: {}, value: { ...template } }];
    const parsed = variablesSchema.safeParse(expand, { reportInput: true });
    if (!parsed.success) {
      issues.push(...describeZodIssues(parsed.error.issues, variablesSchema, expand, ['systems', i, 'expand']));
      return [];
    }
    const names = Object.keys(parsed.data);
    const shadowed = names.filter((n) => sweep.has(n));
    if (shadowed.length > 0) issues.push({ path: ['systems', i, 'expand'], message: `${shadowed.join(', ')} also named under sweep; use another name` });
    if (typeof template.name === 'string' && !names.some((n) => template.name === `\${${n}}` || String(template.name).includes(`\${${n}}`))) {
      issues.push({ path: ['systems', i, 'name'], message: `an expanded system's name must use its variables, e.g. '${template.name}-\${${names[0]}}'` });
    }
    return combinations(parsed.data).map((vars) => ({
      template: i,
      vars,
      value: substitute(template, vars, { base: ['systems', i], later: sweep, issues }) as Record<string, unknown>,
    }));
  });
}

/** Points of every workload, systems and workload substituted with the point's sweep values. */
export function expandPoints(input: { systems: readonly unknown[]; workloads: readonly unknown[]; sweep: VarLists }, issues: KeyIssue[]): RawPoint[] {
  const sweepNames = new Set(Object.keys(input.sweep));
  if (sweepNames.has('workload')) issues.push({ path: ['sweep', 'workload'], message: "'workload' is reserved (every point's params name its workload); rename the variable" });
  const systems = expandSystems(input.systems, sweepNames, issues);
  const systemVars = new Set<string>();
  for (const s of systems) {
    const used = [...referencedVars(s.value)].filter((n) => sweepNames.has(n));
    used.forEach((n) => systemVars.add(n));
    if (referencedVars(s.value.name).size > 0) issues.push({ path: ['systems', s.template, 'name'], message: 'a system name cannot use sweep variables (it must be the same at every point); use expand' });
  }
  const used = new Set(systemVars);
  const points = input.workloads.flatMap((raw, j): RawPoint[] => {
    if (!isObject(raw)) {
      issues.push({ path: ['workloads', j], message: "expected a mapping with name and 'trace' or 'synthetic'" });
      return [];
    }
    const own = [...referencedVars(raw)].filter((n) => sweepNames.has(n));
    own.forEach((n) => used.add(n));
    const names = Object.keys(input.sweep).filter((n) => systemVars.has(n) || own.includes(n));
    const lists = Object.fromEntries(names.map((n) => [n, input.sweep[n]!]));
    return combinations(lists).map((vars) => {
      const workload = substitute(raw, vars, { base: ['workloads', j], hints: [...sweepNames], issues }) as Record<string, unknown>;
      const name = typeof workload.name === 'string' ? workload.name : `workloads[${j}]`;
      return {
        params: { workload: name, ...vars },
        workload: { template: j, vars: pick(vars, referencedVars(raw)), value: workload },
        systems: systems.map((s) => ({
          ...s,
          vars: { ...s.vars, ...pick(vars, referencedVars(s.value)) },
          value: substitute(s.value, vars, { base: ['systems', s.template], issues }) as Record<string, unknown>,
        })),
      };
    });
  });
  for (const n of sweepNames) {
    if (!used.has(n)) issues.push({ path: ['sweep', n], message: `not used: write \${${n}} in a workload or system value` });
  }
  return points;
}
