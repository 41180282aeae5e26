import type { z } from 'zod';
import type { KeyIssue } from '../../util/issues.ts';
import type { RawInstance } from './expand.ts';
import { describeVars, referencedVars } from './placeholders.ts';
import { systemSchema, type SystemConfig } from './schema.ts';
import { syntheticWorkloadSchema, traceWorkloadSchema, type WorkloadConfig } from './workload-schema.ts';
import { describeZodIssues } from './zod-issues.ts';

/**
 * Validates expanded instances of `systems` / `workloads` entries. Instances of one entry
 * share its key paths; an issue about a value that came from a placeholder says which values
 * (`(where rate = -1)`), so the same bad key is reported once, a bad sweep value once per value.
 */
function at(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const k of path) v = typeof v === 'object' && v !== null ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function validate<T>(schema: z.ZodType<T>, list: 'systems' | 'workloads', inst: RawInstance, templates: readonly unknown[], issues: KeyIssue[]): T | undefined {
  const r = schema.safeParse(inst.value, { reportInput: true });
  if (r.success) return r.data;
  const template = templates[inst.template];
  for (const issue of describeZodIssues(r.error.issues, schema, inst.value, [list, inst.template])) {
    // An unknown placeholder was reported already; its leftover text is no second problem.
    if (/\$\{/.test(String(at(inst.value, issue.path.slice(2))))) continue;
    const used = [...referencedVars(at(template, issue.path.slice(2)))].filter((n) => Object.hasOwn(inst.vars, n));
    const where = used.length > 0 ? ` (where ${describeVars(Object.fromEntries(used.map((n) => [n, inst.vars[n]!])))})` : '';
    issues.push({ path: issue.path, message: issue.message + where });
  }
  return undefined;
}

export function validateSystem(inst: RawInstance, templates: readonly unknown[], issues: KeyIssue[]): SystemConfig | undefined {
  return validate(systemSchema, 'systems', inst, templates, issues);
}

/** Dispatches on the key that says what the workload is, so errors speak about that form only. */
export function validateWorkload(inst: RawInstance, templates: readonly unknown[], issues: KeyIssue[]): WorkloadConfig | undefined {
  const v = inst.value;
  if ('trace' in v) return validate(traceWorkloadSchema, 'workloads', inst, templates, issues);
  if ('synthetic' in v) return validate(syntheticWorkloadSchema, 'workloads', inst, templates, issues);
  issues.push({ path: ['workloads', inst.template], message: "expected 'trace: <catalog name or path>' or 'synthetic: {arrivals, lengths, count}'" });
  // Still report its unknown keys and missing name (against the trace form).
  const rest = traceWorkloadSchema.omit({ trace: true }).safeParse(v, { reportInput: true });
  if (!rest.success) issues.push(...describeZodIssues(rest.error.issues, traceWorkloadSchema.extend(syntheticWorkloadSchema.shape), v, ['workloads', inst.template]));
  return undefined;
}
