import type { z } from 'zod';
import { ParallelConfigError } from '../parallel/mode.ts';
import { dp } from './dp.ts';
import { pp } from './pp.ts';
import { shift } from './shift.ts';
import { sp } from './sp.ts';
import { tp } from './tp.ts';
import type { ParallelConfig, Strategy, StrategyName } from './types.ts';

/** Every strategy, listed once: the schema, CLI choices, docs and conformance tests come from here. */
const STRATEGIES: readonly Strategy[] = [dp, tp, sp, shift, pp];

export function strategyNames(): StrategyName[] {
  return STRATEGIES.map((s) => s.name);
}

export function allStrategies(): readonly Strategy[] {
  return STRATEGIES;
}

export function getStrategy(name: string): Strategy {
  const s = STRATEGIES.find((x) => x.name === name);
  if (!s) throw new ParallelConfigError(`unknown strategy '${name}'; known: ${strategyNames().join(', ')}`);
  return s;
}

/** The deployment of strategy `name` on P ranks from optional --sp / --tp (each strategy resolves its own keys). */
export function resolveParallel(name: StrategyName, world: number, sp?: number, tp?: number): ParallelConfig {
  return getStrategy(name).parallel(world, { ...(sp === undefined ? {} : { sp }), ...(tp === undefined ? {} : { tp }) });
}

/** One line per strategy, 'name: summary' (schema and CLI descriptions). */
export function strategySummaries(): string {
  return STRATEGIES.map((s) => `${s.name}: ${s.summary}`).join('; ');
}

/**
 * The union of every strategy's config keys, each described per strategy (strategies with the
 * same description share a line), e.g. "sp, shift: SP degree s; default world / tp".
 */
export function strategyConfigKeys(): Record<string, z.ZodType> {
  const byKey = new Map<string, { schema: z.ZodType; lines: Map<string, string[]> }>();
  for (const s of STRATEGIES) {
    for (const [key, schema] of Object.entries(s.configKeys)) {
      const entry = byKey.get(key) ?? { schema, lines: new Map<string, string[]>() };
      const text = schema.description ?? '';
      entry.lines.set(text, [...(entry.lines.get(text) ?? []), s.name]);
      byKey.set(key, entry);
    }
  }
  return Object.fromEntries(
    [...byKey].sort(([a], [b]) => a.localeCompare(b)).map(([key, { schema, lines }]) => [key, schema.describe([...lines].map(([text, names]) => `${names.join(', ')}: ${text}`).join('; '))]),
  );
}

/** Names of the strategies that switch modes, and of those that route over replicas (error messages, docs). */
/** Each switching strategy's default policy, as help texts print it: 'shift: threshold:512'. */
export function defaultPolicies(): string {
  return STRATEGIES.flatMap((s) => (s.switching ? [`${s.name}: ${s.switching.defaultPolicy}`] : [])).join('; ');
}

export function strategiesWith(feature: 'switching' | 'routed'): StrategyName[] {
  return STRATEGIES.filter((s) => (feature === 'switching' ? s.switching !== undefined : s.routed)).map((s) => s.name);
}
