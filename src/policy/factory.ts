import type { z } from 'zod';
import { type KeyIssue, formatIssues } from '../util/issues.ts';
import { PolicyParamsError, type SwitchPolicy } from './types.ts';

/**
 * A built-in policy family: a name, a parameter schema (every field with a default and a
 * description) and a constructor. Adding a policy is one file exporting a factory plus one
 * line in registry.ts.
 */
export interface PolicyFactory<P = unknown> {
  readonly name: string;
  readonly summary: string;
  readonly params: z.ZodType<P>;
  create(params: P): SwitchPolicy;
}

export function definePolicy<P>(f: PolicyFactory<P>): PolicyFactory<P> {
  return f;
}

/** Validates `params` against the factory's schema; errors name the key path under `where`. */
export function buildPolicy<P>(f: PolicyFactory<P>, params: unknown, where: readonly (string | number)[]): SwitchPolicy {
  const parsed = f.params.safeParse(params ?? {}, { reportInput: true });
  if (!parsed.success) {
    const issues: KeyIssue[] = parsed.error.issues.map((i) => ({ path: [...where, ...i.path.map((k) => (typeof k === 'symbol' ? String(k) : k))], message: i.message }));
    throw new PolicyParamsError(formatIssues(`policy '${f.name}'`, issues), [], f.params, params ?? {}, parsed.error.issues);
  }
  return f.create(parsed.data);
}
