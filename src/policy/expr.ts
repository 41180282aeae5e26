import { createRequire } from 'node:module';
import type { MathNode } from 'mathjs';
import { z } from 'zod';
import { definePolicy } from './factory.ts';
import { type IterationState, PolicyError } from './types.ts';

/**
 * A boolean expression over the iteration state, written in the YAML; true runs full TP.
 * Parsed once with mathjs (operators and, or, not, <=, +, min(), …), evaluated per iteration.
 *   expr: "decode_tokens <= 256 and max_chunk <= 64"
 */
const VARIABLES: Record<string, (s: IterationState) => number> = {
  iteration: (s) => s.iteration,
  prefill_tokens: (s) => s.prefillTokens,
  decode_tokens: (s) => s.decodeTokens,
  total_tokens: (s) => s.totalTokens,
  seqs: (s) => s.seqs,
  max_chunk: (s) => s.maxChunk,
  waiting: (s) => s.waiting,
  kv_usage: (s) => s.kvUsage,
  /** 1 when the previous iteration ran full TP. */
  last_tp: (s) => (s.history.at(-1) === 'tp' ? 1 : 0),
  /** Iterations the current mode has run in a row. */
  dwell: (s) => {
    let n = 0;
    for (let k = s.history.length - 1; k >= 0 && s.history[k] === s.history.at(-1); k--) n++;
    return n;
  },
  predicted_tp_ms: (s) => 1000 * s.predict('tp'),
  predicted_sp_ms: (s) => 1000 * s.predict('sp'),
};

export const EXPR_VARIABLES: readonly string[] = Object.keys(VARIABLES);

/** mathjs reads variables through a Map; this one computes each from the state on demand. */
class StateScope extends Map<string, unknown> {
  constructor(private readonly state: IterationState) {
    super();
  }
  override has(key: string): boolean {
    return key in VARIABLES || super.has(key);
  }
  override get(key: string): unknown {
    const read = VARIABLES[key];
    return read ? read(this.state) : super.get(key);
  }
}

function variablesOf(node: MathNode): string[] {
  const names: string[] = [];
  node.traverse((n, path, parent) => {
    const isFunctionName = parent?.type === 'FunctionNode' && path === 'fn';
    if (n.type === 'SymbolNode' && !isFunctionName) names.push((n as MathNode & { name: string }).name);
  });
  return names;
}

// mathjs takes a second or two to import, so it is loaded only when an expr policy is built.
const require = createRequire(import.meta.url);

export function exprPolicy(source: string) {
  const { parse } = require('mathjs') as typeof import('mathjs');
  let node: MathNode;
  try {
    node = parse(source);
  } catch (e) {
    throw new PolicyError(`expr policy: cannot parse "${source}": ${(e as Error).message}`);
  }
  const unknown = variablesOf(node).filter((v) => !(v in VARIABLES));
  if (unknown.length > 0) {
    throw new PolicyError(`expr policy: unknown variable '${unknown[0]}' in "${source}"; known variables: ${EXPR_VARIABLES.join(', ')}`);
  }
  const code = node.compile();
  return {
    name: `expr:${source}`,
    decide: (s: IterationState) => {
      const value: unknown = code.evaluate(new StateScope(s));
      if (typeof value !== 'boolean') {
        throw new PolicyError(`expr policy "${source}" gave ${JSON.stringify(value)} at iteration ${s.iteration}; it must be true (full TP) or false (SP)`);
      }
      return value ? ('tp' as const) : ('sp' as const);
    },
  };
}

export const expr = definePolicy({
  name: 'expr',
  summary: `a boolean expression, true = full TP; variables: ${EXPR_VARIABLES.join(', ')}`,
  params: z.object({ expr: z.string().min(1).describe('e.g. "decode_tokens <= 256 and max_chunk <= 64"') }).strict(),
  create: (p) => exprPolicy(p.expr),
});
