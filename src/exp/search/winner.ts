import { isAbsolute, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { traceEntry } from '../../traces/catalog.ts';
import { policyLabel } from '../manifest.ts';
import type { RankedCandidate, SearchOutcome } from './rank.ts';
import type { SearchConfig } from '../config/search-schema.ts';

/**
 * The winner as a ready-to-run experiment config: the winning system (its layout, policy and
 * engine values) on the search's workload at the winner's capacity, with the SLO's goodput
 * targets. Paths of the search config (trace, length file, hardware JSON, policy module) are
 * rewritten relative to the directory the file is written to.
 */
export function winnerYaml(o: SearchOutcome, winner: RankedCandidate, resolved: Record<string, unknown>, configDir: string, outDir: string): string {
  const search = resolved.search as SearchConfig;
  const path = (p: string): string => {
    const abs = isAbsolute(p) ? p : resolve(configDir, p);
    return relative(outDir, abs) || '.';
  };
  const c = winner.plan;
  // Without a policies list a candidate ran its strategy's default policy, a name whose label is itself.
  const spec = search.policies === undefined ? c.policy : search.policies.find((p) => policyLabel(p) === c.policy);
  const policy = spec !== undefined && typeof spec === 'object' && 'module' in spec ? { ...spec, module: path(String(spec.module)) } : spec;
  const rate = Number(winner.search.capacity_req_s.toPrecision(6));
  const workload = atRate(resolved.workloads as Record<string, unknown>[], rate, o.manifest.search.native_rate, path);
  const hardware = String(resolved.hardware);
  const goodput = search.slo.goodput;
  const config = {
    name: `${o.manifest.name}-winner`,
    description: `The winner of search '${o.manifest.name}': ${c.name} at its capacity, ${rate} requests/s.`,
    seed: resolved.seed, model: resolved.model, hardware: hardware.endsWith('.json') ? path(hardware) : hardware,
    dtype: resolved.dtype, kv_dtype: resolved.kv_dtype, engine: resolved.engine,
    systems: [{ name: c.name, strategy: c.strategy, world: c.world, sp: c.sp, tp: c.tp, ...(c.policy === undefined ? {} : { policy }), ...(Object.keys(c.engine).length > 0 ? { engine: c.engine } : {}) }],
    workloads: [workload],
    ...(goodput === undefined ? {} : { slo: { ttft_ms: goodput.ttft_ms, tpot_ms: goodput.tpot_ms } }),
  };
  const header = [
    `# The winner of search '${o.manifest.name}' (${o.manifest.source}): ${c.name},`,
    `# capacity ${rate} requests/s (bisection tolerance ${o.manifest.search.rate.tolerance}), run at that load.`,
    `#   yarn exp <this file>`,
  ];
  return `${header.join('\n')}\n${stringify(config, { lineWidth: 0 })}`;
}

/** The search's workload at `rate`: a synthetic one with that arrival rate, a trace scaled to it. */
function atRate(workloads: readonly Record<string, unknown>[], rate: number, native: number | undefined, path: (p: string) => string): Record<string, unknown> {
  const w = { ...workloads[0]! };
  if (typeof w.trace === 'string') {
    if (traceEntry(w.trace) === undefined) w.trace = path(w.trace);
    return { ...w, time_scale: Number((native! / rate).toPrecision(9)) };
  }
  const synthetic = w.synthetic as { arrivals: Record<string, unknown>; lengths: Record<string, unknown> };
  const lengths = synthetic.lengths.kind === 'file' && typeof synthetic.lengths.file === 'string' && traceEntry(synthetic.lengths.file) === undefined ? { ...synthetic.lengths, file: path(synthetic.lengths.file) } : synthetic.lengths;
  return { ...w, synthetic: { ...synthetic, arrivals: { ...synthetic.arrivals, rate }, lengths } };
}
