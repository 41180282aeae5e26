import type { Test } from 'uvu';
import { downloadHint, findTrace, tracesDirs } from '../../src/traces/discover.ts';
import { traceEntry } from '../../src/traces/catalog.ts';

/**
 * The public traces are optional inputs of the test suite: a test that reads one is registered
 * through testNeedingTraces, which skips it (naming the command that fetches the trace) when
 * this checkout lacks the trace, so a missing trace never fails or aborts a test file.
 */

function entryOf(name: string): NonNullable<ReturnType<typeof traceEntry>> {
  const e = traceEntry(name);
  if (e === undefined) throw new Error(`test helper: '${name}' is not a catalog trace name`);
  return e;
}

/**
 * Registers `name` in `suite` as a test, or, when a trace it needs is missing from `dirs`
 * (default: the usual search order, data/traces then ../shared/traces; a single directory for
 * tests that check that directory), as a skipped one whose name (and a warning on stderr)
 * carries the download command.
 */
export function testNeedingTraces(
  suite: Test,
  traces: readonly string[],
  name: string,
  fn: () => void | Promise<void>,
  dirs: readonly string[] = tracesDirs(),
): void {
  const missing = traces.filter((n) => findTrace(entryOf(n), dirs) === undefined);
  if (missing.length === 0) return void suite(name, fn);
  // Fetched into data/traces by default; a test that checks one directory needs them there.
  const get = dirs.length === 1 ? `yarn traces download --to ${dirs[0]} --only ${missing.join(',')}` : downloadHint(missing);
  const why = `${name}: skipped, trace ${missing.join(', ')} missing from ${dirs.join(', ')}; get it with ${get}`;
  console.warn(why);
  suite.skip(why, fn);
}

/** Where catalog trace `name` is (in the usual search order); throws when absent. */
export function tracePath(name: string): string {
  const p = findTrace(entryOf(name), tracesDirs());
  if (p === undefined) throw new Error(`trace '${name}' missing; register the test with testNeedingTraces`);
  return p;
}
