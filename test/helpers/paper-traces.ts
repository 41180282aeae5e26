import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type StudyExperiment, configPath } from '../../experiments/paper/study.ts';
import { traceEntry } from '../../src/traces/index.ts';

/**
 * The public traces a study config reads (a workload's `trace:` or a length table's `file:` that
 * names a catalog trace), for testNeedingTraces (re-exported here; see needs-traces.ts), which
 * skips a test that needs a missing one with the command that fetches it.
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

export { testNeedingTraces } from './needs-traces.ts';
