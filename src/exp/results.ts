import { z } from 'zod';

/**
 * The results.json contract: notebooks, CI checks and plots read this. Required fields are
 * below; producers may add fields (objects are loose). Times are milliseconds, throughput is
 * (input + output tokens of finished requests) / (last completion − first arrival), per SHIFT.md.
 *
 *   { "config": name, "points": [ { "params": {...}, "systems": { "<system>": {
 *       "ttft_ms": {mean,p50,p90,p99}, "tpot_ms": {...}, "itl_ms": {...}, "e2e_ms": {...},
 *       "throughput_tok_s": n, "requests": {"finished": n, "rejected": n}, "switches": n } } } ] }
 *
 * A statistic is null when no request contributes to it (none finished; for TPOT and ITL, none
 * generated more than one token).
 */
const stat = z.number().nullable();
export const latencyStatsSchema = z.looseObject({ mean: stat, p50: stat, p90: stat, p99: stat });

export const systemResultSchema = z.looseObject({
  ttft_ms: latencyStatsSchema,
  tpot_ms: latencyStatsSchema,
  itl_ms: latencyStatsSchema,
  e2e_ms: latencyStatsSchema,
  throughput_tok_s: z.number().nonnegative(),
  requests: z.looseObject({ finished: z.number().int().nonnegative(), rejected: z.number().int().nonnegative() }),
  switches: z.number().int().nonnegative(),
});

export const pointResultSchema = z.looseObject({
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  systems: z.record(z.string(), systemResultSchema),
});

export const resultsSchema = z.looseObject({
  config: z.string(),
  points: z.array(pointResultSchema),
});

export type LatencyStats = z.output<typeof latencyStatsSchema>;
export type SystemResult = z.output<typeof systemResultSchema>;
export type PointResult = z.output<typeof pointResultSchema>;
export type Results = z.output<typeof resultsSchema>;

/**
 * Fields this project writes beyond the contract (readers may rely on them, but other producers
 * need not write them). The simulator's own aggregates are passed through as it names them.
 */
export interface SystemExtras {
  readonly strategy: string;
  readonly world: number;
  readonly sp: number;
  readonly tp: number;
  readonly policy?: string;
  /**
   * How each latency's percentiles were computed: 'exact', or 'ddsketch ±0.1%' (within 0.1% of
   * the order statistic at the rank) where a unit had more values than it keeps exactly.
   */
  readonly percentiles: Readonly<Record<'ttft_ms' | 'tpot_ms' | 'itl_ms' | 'e2e_ms', string>>;
  /** Seconds from the first arrival to the last completion. */
  readonly duration_s: number;
  /** Most requests in flight (arrived, not finished) at any time. */
  readonly max_in_flight: number;
  /** Finished requests meeting the config's `slo`, per second and as a fraction of finished ones. */
  readonly goodput_req_s?: number;
  readonly slo_attainment?: number;
  /** Shift: fraction of engine iterations run in the full-TP shift model. */
  readonly tp_iteration_fraction?: number;
  /** Engine iterations: count (all replicas), count per mode, busy seconds. */
  readonly iterations: { readonly count: number; readonly by_mode: Readonly<Record<string, number>>; readonly busy_s: number };
  readonly tokens: { readonly input: number; readonly output: number };
  readonly preemptions: number;
  /** Rejected requests by reason. */
  readonly rejections: Readonly<Record<string, number>>;
  /** Waiting-queue statistics at arrivals, as the simulator reports them. */
  readonly queue: unknown;
  /** Where the busy time went (GEMM, attention, collectives, overhead), summed over iterations. */
  readonly breakdown: unknown;
  /** KV blocks per replica and the most used. */
  readonly kv: unknown;
}

/** Throws naming the first key paths that break the contract. */
export function validateResults(json: unknown, where = 'results.json'): Results {
  const r = resultsSchema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.slice(0, 10).map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`${where} breaks the results contract:\n${lines.join('\n')}`);
}
