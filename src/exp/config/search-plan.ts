import type { WorkloadSpec } from '../../traces/workload.ts';
import type { PlannedSystem } from './planned-system.ts';
import type { RateConfig, SearchSlo } from './search-schema.ts';

/**
 * The plain data of a search that travels in run.json (the plan) and units/<unit>.json (each
 * candidate's outcome), so that reports and merges never reload the config.
 */

/** What a candidate's worker needs to bisect its capacity (the same for every candidate). */
export interface SearchProbeSpec {
  /** The workload as configured; its rate is set per probe (see rate.ts). */
  readonly workload: WorkloadSpec;
  /** A trace's own mean rate (requests/s); absent for a synthetic workload. */
  readonly nativeRate?: number;
  readonly rate: RateConfig;
  readonly slo: SearchSlo;
}

export type CandidateStatus = 'simulated' | 'undeployable' | 'pruned';

/** One candidate of the space, as planned. */
export interface CandidatePlan extends PlannedSystem {
  /** The engine settings the space varies, with this candidate's values. */
  readonly engine: Readonly<Record<string, number>>;
  readonly status: CandidateStatus;
  /** Undeployable: why (memory, head divisibility, ...). Pruned: the bound that proves it cannot win. */
  readonly reason?: string;
  /** Simulated: its unit (the reference-load run; the unit file also holds its bisection). */
  readonly unit?: string;
}

/** run.json's `search`: the plan of a search. */
export interface SearchManifest {
  readonly rate: RateConfig;
  readonly slo: SearchSlo;
  readonly curves: number;
  /** The workload's name and, for a trace, its own mean rate. */
  readonly workload: string;
  readonly native_rate?: number;
  readonly candidates: readonly CandidatePlan[];
}

/** One simulation of the bisection. */
export interface ProbeResult {
  readonly rate: number;
  readonly meets: boolean;
  /** The worst ratio of a measured value to its target (≤ 1 meets; latencies: value / target; goodput: target / value). */
  readonly margin: number;
  readonly ttft_p99_ms: number | null;
  readonly tpot_p99_ms: number | null;
  /** Good requests / (finished + rejected); null without a goodput target. */
  readonly good_fraction: number | null;
  readonly throughput_tok_s: number;
  readonly finished: number;
  readonly rejected: number;
}

/** A candidate's capacity, in its unit file. */
export interface CandidateSearch {
  /** The highest rate probed that meets the SLO; 0 when rate.min fails. */
  readonly capacity_req_s: number;
  /** The lowest rate probed that fails (null when rate.max meets: the capacity is at least max). */
  readonly fails_at_req_s: number | null;
  /** Probes in the order they ran. */
  readonly probes: readonly ProbeResult[];
  /** The reference-load run measured against the SLO. */
  readonly reference: ProbeResult;
}

/** What an experiment carries when it is a search (see Experiment.search). */
export interface SearchPlan {
  readonly manifest: SearchManifest;
  readonly probe: SearchProbeSpec;
}
