import { type Results, validateResults } from '../results.ts';
import type { RunData } from './collect.ts';
import { compareRows } from './compare.ts';

/**
 * results.json: the contract (config, points[].params, points[].systems[name] metrics) plus
 * provenance (config hash, model, hardware, code and file hashes), each point's id and workload, skipped workloads
 * and the `compare` ratios. Deterministic: no wall-clock times, so equal runs give equal files.
 */
export function buildResults(data: RunData): Results {
  const m = data.manifest;
  const results = {
    config: m.name,
    description: m.description,
    config_hash: m.config_hash,
    model: m.model,
    hardware: m.hardware,
    shard: m.shard,
    // The code and files the units were computed with (see provenance.ts).
    ...(m.provenance === undefined ? {} : { provenance: m.provenance }),
    points: data.points.map((p) => ({
      id: p.plan.id,
      workload: p.plan.workload,
      params: p.plan.params,
      systems: Object.fromEntries(p.units.map((u) => [u.system, u.summary])),
    })),
    skipped: m.skipped,
    compare: compareRows(data),
  };
  // Catch a broken contract here rather than in a notebook.
  return validateResults(results);
}
