import type { ResolvedSystem } from './config/resolve-system.ts';
import type { ResolvedWorkload } from './config/resolve-workload.ts';
import type { SloConfig } from './config/schema.ts';
import type { SystemExtras, SystemResult } from './results.ts';

/**
 * A unit of work: one system on one point's workload. Units run in worker threads and are
 * saved one file each (units/<unit>.json), the grain of resume, sharding and merging.
 */
export interface UnitInput {
  /** `<point id>-s<system index>`, the unit file's name. */
  readonly unit: string;
  readonly point: string;
  readonly model: string;
  /** A built-in profile name or an absolute path to a JSON profile. */
  readonly hardware: string;
  readonly system: ResolvedSystem;
  readonly workload: ResolvedWorkload;
  /** Goodput counts finished requests meeting it (none: no goodput). */
  readonly slo?: SloConfig;
  readonly timelineBins: number;
  /** Policy modules are resolved from here (the config's directory). */
  readonly baseDir: string;
  /**
   * A user policy module's files (absolute path → sha256, 16 hex digits) as the run recorded
   * them: a unit refuses to run a module edited since (it would mix two versions in one report).
   */
  readonly policyFiles?: Readonly<Record<string, string>>;
}

/** Per-request outcomes, one array entry per request, in arrival order (columns keep files small). */
export interface RequestColumns {
  readonly id: number[];
  /** Seconds since the workload's start. */
  readonly arrival: number[];
  readonly input: number[];
  readonly output: number[];
  /** DP replica that served it (0 otherwise); null when rejected. */
  readonly replica: (number | null)[];
  /** Milliseconds; null for a request that did not finish (rejected). */
  readonly ttft_ms: (number | null)[];
  /** Milliseconds per output token after the first; null for 1-token or unfinished requests. */
  readonly tpot_ms: (number | null)[];
  readonly e2e_ms: (number | null)[];
  /** Times it was preempted (its KV recomputed); null when rejected. */
  readonly preemptions: (number | null)[];
}

/**
 * Engine iterations binned over simulated time (a DP system: summed over replicas). For each
 * bin: iterations, mean scheduled tokens per iteration, fraction of iterations in the full-TP
 * shift model (Shift only; null otherwise or when the bin has no iteration).
 */
export interface Timeline {
  readonly bin_s: number;
  readonly iterations: number[];
  readonly tokens: number[];
  readonly tp_fraction: (number | null)[] | null;
}

export type UnitSummary = SystemResult & SystemExtras;

export interface UnitResult {
  readonly version: 1;
  readonly config_hash: string;
  readonly unit: string;
  readonly point: string;
  readonly system: string;
  readonly summary: UnitSummary;
  readonly requests: RequestColumns;
  readonly timeline: Timeline;
}
