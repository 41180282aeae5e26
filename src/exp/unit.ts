import type { ResolvedSystem } from './config/resolved-system.ts';
import type { ResolvedWorkload } from './config/resolve-workload.ts';
import type { SloConfig } from './config/schema.ts';
import type { SystemExtras, SystemResult } from './results.ts';
import type { CandidateSearch, SearchProbeSpec } from './config/search-plan.ts';

/**
 * A unit of work: one system on one point's workload. Units run in worker threads and are
 * saved one file each (units/<unit>.json, and the request rows beside it), the grain of resume,
 * sharding and merging.
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
  /** Quantiles per CDF (none: no CDFs). */
  readonly cdfPoints?: number;
  /** Where the unit streams its request rows; none: they are not kept (a unit run for its summary alone). */
  readonly files?: UnitFiles;
  /** Policy modules are resolved from here (the config's directory). */
  readonly baseDir: string;
  /**
   * A user policy module's files (absolute path → sha256, 16 hex digits) as the run recorded
   * them: a unit refuses to run a module edited since (it would mix two versions in one report).
   */
  readonly policyFiles?: Readonly<Record<string, string>>;
  /** A search's candidate: also bisect its capacity (see search/candidate.ts). */
  readonly search?: SearchProbeSpec;
}

export interface UnitFiles {
  /** The run's units/ directory: rows go to units/<unit>.requests.csv. */
  readonly unitsDir: string;
  /** 'exact': TTFT/TPOT/E2E percentiles from the request file instead of the sketch. */
  readonly percentiles: 'sketch' | 'exact';
}

/**
 * Evenly spaced quantiles of each latency over a unit's requests (milliseconds): entry i is the
 * quantile i / (length − 1); empty when no request has the value. What the CDF plots draw.
 */
export interface LatencyCdfs {
  readonly ttft_ms: number[];
  readonly tpot_ms: number[];
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

/** A finished unit: units/<unit>.json, beside its request rows units/<unit>.requests.csv. */
export interface UnitResult {
  readonly version: 2;
  readonly config_hash: string;
  readonly unit: string;
  readonly point: string;
  readonly system: string;
  readonly summary: UnitSummary;
  readonly cdf: LatencyCdfs;
  readonly timeline: Timeline;
  /** A search's candidate: its capacity and the probes that found it. */
  readonly search?: CandidateSearch;
}
