import { z } from 'zod';
import type { PointResult, Results, SystemResult } from '../../src/exp/index.ts';
import type { ExperimentId, StudyResults } from './study.ts';

/**
 * Typed access to the study's results.json files: a point by workload and sweep values, a
 * system's metrics, and the extras this project's runner writes (queue, busy-time breakdown,
 * tokens). A missing point, system or field is a MissingResultError naming what and where.
 */
export class MissingResultError extends Error {
  override readonly name = 'MissingResultError';
}

type Params = Readonly<Record<string, number | string | boolean>>;

function describe(params: Params): string {
  return Object.entries(params).map(([k, v]) => `${k} = ${v}`).join(', ');
}

/** The point of `workload` whose sweep values include `params`. */
/** An experiment's results; a study run in part (test/paper-claims.test.ts) may lack some. */
function resultsOf(study: StudyResults, id: ExperimentId): Results {
  const r: Results | undefined = study[id];
  if (!r) throw new MissingResultError(`no results of experiment ${id} in this study (${Object.keys(study).join(', ')}): run it too`);
  return r;
}

export function pointOf(study: StudyResults, id: ExperimentId, workload: string, params: Params = {}): PointResult {
  const r = resultsOf(study, id);
  const p = r.points.find((x) => x.params.workload === workload && Object.entries(params).every(([k, v]) => x.params[k] === v));
  if (!p) throw new MissingResultError(`${id} (${r.config}): no point of workload '${workload}'${Object.keys(params).length ? ` with ${describe(params)}` : ''}; rerun \`yarn paper\``);
  return p;
}

/** Every point of `workload`, in results order. */
export function pointsOf(study: StudyResults, id: ExperimentId, workload: string): readonly PointResult[] {
  const ps = resultsOf(study, id).points.filter((x) => x.params.workload === workload);
  if (ps.length === 0) throw new MissingResultError(`${id}: no point of workload '${workload}'; rerun \`yarn paper\``);
  return ps;
}

export function systemOf(p: PointResult, name: string): SystemResult {
  const s = p.systems[name];
  if (!s) throw new MissingResultError(`point ${describe(p.params)}: no system '${name}' (has ${Object.keys(p.systems).join(', ')})`);
  return s;
}

/** A statistic that must exist (a run where no request finished has null ones). */
export function stat(v: number | null, what: string): number {
  if (v === null) throw new MissingResultError(`${what} is null: no request contributed to it`);
  return v;
}

const queueSchema = z.looseObject({
  max_waiting: z.number(),
  mean_waiting: z.number(),
  waiting_at_last_arrival: z.number(),
  growth_req_per_s: z.number(),
  bounded: z.boolean(),
});
const breakdownSchema = z.looseObject({
  gemm: z.number(),
  attention: z.number(),
  memory: z.number(),
  collectives: z.record(z.string(), z.number()),
  overhead: z.number(),
  total: z.number(),
});
const extrasSchema = z.looseObject({
  duration_s: z.number(),
  max_in_flight: z.number(),
  tokens: z.looseObject({ input: z.number(), output: z.number() }),
  queue: queueSchema,
  breakdown: breakdownSchema,
  kv: z.looseObject({ blocks_per_replica: z.number(), replicas: z.number(), block_size: z.number() }),
  tp_iteration_fraction: z.number().optional(),
});

export type Extras = z.output<typeof extrasSchema>;

/** The runner's extras of a system result (src/exp/results.ts SystemExtras). */
export function extrasOf(s: SystemResult, what: string): Extras {
  const r = extrasSchema.safeParse(s);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  throw new MissingResultError(`${what}: results.json lacks the runner's extras (${first.path.join('.')}: ${first.message}); rerun \`yarn paper\``);
}

/** Output tokens per finished request. */
function meanOutput(s: SystemResult, what: string): number {
  return extrasOf(s, what).tokens.output / Math.max(1, s.requests.finished);
}

/**
 * The paper's completion time, TTFT + output × TPOT, from the mean TTFT and mean TPOT of a
 * point (ms).
 */
export function completionMs(s: SystemResult, what: string): number {
  return stat(s.ttft_ms.mean, `${what} TTFT`) + meanOutput(s, what) * stat(s.tpot_ms.mean, `${what} TPOT`);
}
