import { readFileSync } from 'node:fs';
import type { Test } from 'uvu';
import { parse } from 'yaml';
import { type StudyExperiment, configPath } from '../../experiments/paper/study.ts';
import { findTrace, traceEntry, tracesDirs } from '../../src/traces/index.ts';
import { downloadHint } from '../../src/traces/discover.ts';

/**
 * The public traces a study config reads (a workload's `trace:` or a length table's `file:` that
 * names a catalog trace) and which of them this checkout lacks. The traces are optional inputs of
 * the test suite: a test that needs a missing one is skipped with the command that fetches it,
 * and never aborts the file it is in.
 */
function catalogNames(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const x of node) catalogNames(x, out);
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'trace' || k === 'file') && typeof v === 'string' && traceEntry(v) !== undefined) out.add(v);
      else catalogNames(v, out);
    }
  }
  return out;
}

/** The catalog traces `e`'s config reads. */
export function tracesOf(e: StudyExperiment): string[] {
  return [...catalogNames(parse(readFileSync(configPath(e), 'utf8')), new Set())];
}

/**
 * Registers `name` in `suite` as a test, or, when a trace it needs is missing, as a skipped one
 * whose name (and a warning on stderr) carries the download command.
 */
export function testNeedingTraces(suite: Test, traces: readonly string[], name: string, fn: () => void | Promise<void>): void {
  const missing = traces.filter((n) => findTrace(traceEntry(n)!, tracesDirs()) === undefined);
  if (missing.length === 0) return void suite(name, fn);
  const why = `${name}: skipped, trace ${missing.join(', ')} missing; get it with ${downloadHint(missing)}`;
  console.warn(why);
  suite.skip(why, fn);
}
