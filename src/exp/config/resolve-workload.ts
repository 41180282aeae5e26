import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { TRACE_CATALOG, traceEntry } from '../../traces/catalog.ts';
import { didYouMean } from './suggest.ts';
import { resolveTrace } from '../../traces/discover.ts';
import type { TraceFormat } from '../../traces/rows.ts';
import { parseWorkloadSpec, type WorkloadSpec } from '../../traces/workload.ts';
import type { KeyIssue } from '../../util/issues.ts';
import type { WorkloadConfig } from './workload-schema.ts';

/** A workload of one point, ready for `openWorkload`: trace paths are absolute. */
export interface ResolvedWorkload {
  readonly name: string;
  /** Index in the config's `workloads` list. */
  readonly template: number;
  readonly spec: WorkloadSpec;
  readonly maxInFlight?: number;
  /** Requests a trace workload replays (counted when the config is loaded, see check-traces.ts). */
  readonly requests?: number;
}

/** A workload left out because its trace is missing and it is `optional`. */
export interface SkippedWorkload {
  readonly workload: string;
  readonly reason: string;
}

interface Context {
  readonly seed: string | number;
  readonly baseDir: string;
  readonly tracesDirs: readonly string[];
}

const compact = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * A catalog name stays a name (looked up in the traces dirs); a path is taken relative to the
 * config's directory when a file is there, else as the trace layer resolves it.
 */
function locate(nameOrPath: string, ctx: Context): string {
  if (traceEntry(nameOrPath) !== undefined || isAbsolute(nameOrPath)) return resolveTrace(nameOrPath, ctx.tracesDirs);
  const beside = resolve(ctx.baseDir, nameOrPath);
  return existsSync(beside) ? beside : resolveTrace(nameOrPath, ctx.tracesDirs);
}

/** The trace layer's spec for a config entry (snake_case keys mapped to its names). */
function toSpec(w: WorkloadConfig, ctx: Context): WorkloadSpec {
  if ('trace' in w) {
    return compact({
      trace: locate(w.trace, ctx),
      format: w.format as TraceFormat | undefined,
      window: w.window === undefined ? undefined : compact({ ...w.window }),
      zeroAt: w.zero_at,
      timeScale: w.time_scale,
      maxRequests: w.max_requests,
      spreadSteps: w.spread_steps,
      dropHashIds: w.drop_hash_ids,
      skipBadRows: w.skip_bad_rows,
    }) as WorkloadSpec;
  }
  const { arrivals: a, lengths: l, count, duration } = w.synthetic;
  const arrivals = a.kind === 'bursts' ? { kind: a.kind, baseRate: a.base_rate, bursts: a.bursts } : a;
  const lengths = l.kind === 'file' ? compact({ kind: l.kind, file: locate(l.file, ctx), maxRows: l.max_rows }) : l;
  return { synthetic: compact({ arrivals, lengths, count, duration }), seed: w.seed ?? `${ctx.seed}/${w.name}` } as WorkloadSpec;
}

/**
 * Resolves one validated workload: finds its trace (or length file), lets the trace layer check
 * the spec. A missing file of an `optional` workload is returned as a skip note; any other
 * problem is pushed to `issues` at `workloads[template]`.
 */
export function resolveWorkload(w: WorkloadConfig, template: number, ctx: Context, issues: KeyIssue[]): ResolvedWorkload | SkippedWorkload | undefined {
  const key = 'trace' in w ? 'trace' : 'synthetic';
  let spec: WorkloadSpec;
  try {
    spec = toSpec(w, ctx);
  } catch (e) {
    const message = (e as Error).message;
    if (w.optional && (e as Error).name === 'TraceNotFoundError') return { workload: w.name, reason: message };
    const near = 'trace' in w ? didYouMean(w.trace, TRACE_CATALOG.map((t) => t.name)) : '';
    issues.push({ path: ['workloads', template, key], message: message + near });
    return undefined;
  }
  try {
    parseWorkloadSpec(spec, 'workload');
  } catch (e) {
    // The trace layer names its own key paths ('workload.synthetic.arrivals: ...').
    issues.push({ path: ['workloads', template], message: (e as Error).message.replace(/^workload\.?/gm, '').replace(/\n/g, '; ') });
    return undefined;
  }
  return { name: w.name, template, spec, ...(w.max_in_flight === undefined ? {} : { maxInFlight: w.max_in_flight }) };
}
