import { createHash } from 'node:crypto';
import { type ProfileTrust, profileTrust } from '../cost/profile-trust.ts';
import type { Experiment } from './config/load.ts';
import type { PlannedSystem } from './config/planned-system.ts';
import type { Vars } from './config/placeholders.ts';
import type { CompareConfig, SloConfig } from './config/schema.ts';
import type { SkippedWorkload } from './config/resolve-workload.ts';
import type { Provenance } from './provenance.ts';
import type { SearchManifest } from './config/search-plan.ts';
import { type Shard, inShard } from './shard.ts';

/**
 * run.json: what a results directory holds and was asked to hold. Everything the report needs
 * besides the unit files, so that reports and merges never reload the config (whose relative
 * paths may not resolve from elsewhere).
 */
export interface RunManifest {
  readonly version: 1;
  readonly name: string;
  readonly description: string;
  /** sha256 (16 hex digits) of the resolved config; runs and shards of one config share it. */
  readonly config_hash: string;
  /** The config file as given on the command line. */
  readonly source: string;
  readonly model: string;
  readonly hardware: string;
  /** The hardware profile's name and calibration error (summaries say how far to trust the numbers). */
  readonly profile?: ProfileTrust;
  readonly slo?: SloConfig;
  readonly compare: readonly CompareConfig[];
  readonly report: { readonly timeline_bins: number; readonly cdf_points: number; readonly plots: boolean; readonly percentiles: 'sketch' | 'exact' };
  readonly points: readonly PlanPoint[];
  readonly skipped: readonly SkippedWorkload[];
  /** null for a whole run (or a merge of all shards). */
  readonly shard: Shard | null;
  /** Units this directory is responsible for (all of the plan's unless sharded). */
  readonly units: readonly string[];
  /** The code and files the units were computed with (absent in runs made before it was recorded). */
  readonly provenance?: Provenance;
  /** A search: its space (every candidate, with the reason of those not simulated), rates and SLO. */
  readonly search?: SearchManifest;
}

export interface PlanSystem extends PlannedSystem {
  readonly router?: string;
  /** Unit file name (without .json): `<point id>-s<system index>`. */
  readonly unit: string;
}

export interface PlanPoint {
  readonly index: number;
  readonly id: string;
  readonly params: Vars;
  readonly workload: string;
  readonly max_in_flight?: number;
  readonly systems: readonly PlanSystem[];
}

/** JSON with object keys sorted, so equal values hash equally. */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function configHash(resolved: unknown): string {
  return createHash('sha256').update(canonicalJson(resolved)).digest('hex').slice(0, 16);
}

const args = (params: Record<string, unknown>): string[] => Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);

/**
 * How results name a policy: 'threshold:512', 'hysteresis(low=128, high=2048)', or for a user
 * module its name (what its factory returned, once loaded), path and params:
 * 'queue-aware:128/2 (module ../x.ts, threshold=128, queue=2)'.
 */
export function policyLabel(policy: unknown, loadedName?: string): string | undefined {
  if (policy === undefined) return undefined;
  if (typeof policy === 'string') return policy;
  const p = policy as Record<string, unknown>;
  if (typeof p.module === 'string') {
    const where = [`module ${p.module}`, ...args((p.params ?? {}) as Record<string, unknown>)].join(', ');
    return loadedName === undefined ? where : `${loadedName} (${where})`;
  }
  const { name, ...params } = p;
  const list = args(params);
  return list.length > 0 ? `${String(name)}(${list.join(', ')})` : String(name);
}

export function buildManifest(e: Experiment, shard: Shard | null): RunManifest {
  const width = Math.max(2, String(Math.max(...e.points.map((p) => p.systems.length)) - 1).length);
  const points: PlanPoint[] = e.points.map((p) => ({
    index: p.index,
    id: p.id,
    params: p.params,
    workload: p.workload.name,
    ...(p.workload.maxInFlight === undefined ? {} : { max_in_flight: p.workload.maxInFlight }),
    systems: p.systems.map((s, k) => ({
      name: s.name, strategy: s.strategy, world: s.world, sp: s.sp, tp: s.tp,
      ...(s.policy === undefined ? {} : { policy: policyLabel(s.policy)! }),
      ...(s.router === undefined ? {} : { router: s.router }),
      unit: `${p.id}-s${String(k).padStart(width, '0')}`,
    })),
  }));
  const c = e.config;
  return {
    version: 1,
    name: c.name,
    description: c.description,
    config_hash: configHash(e.resolved),
    source: e.file,
    model: c.model,
    hardware: c.hardware,
    profile: profileTrust(e.profile),
    ...(c.slo === undefined ? {} : { slo: c.slo }),
    compare: c.compare,
    report: c.report,
    points,
    skipped: e.skipped,
    shard,
    units: points.filter((p) => shard === null || inShard(p.index, shard)).flatMap((p) => p.systems.map((s) => s.unit)),
    ...(e.search === undefined ? {} : { search: e.search.manifest }),
  };
}
