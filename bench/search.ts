import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runExperiment } from '../src/exp/runner.ts';
import { runCandidate } from '../src/exp/search/candidate.ts';
import { expectedProbes, loadSearch } from '../src/exp/search/index.ts';
import type { UnitInput } from '../src/exp/unit.ts';

/**
 * `yarn exp search` throughput and the cost of precision:
 *  1. candidates per second (and simulations per second) of a whole search, through the
 *     runner and its worker pool, as `yarn exp search` runs it;
 *  2. how the number of bisection probes grows as the tolerance shrinks, for the first
 *     candidate, against the stated count 2 + ⌈log2(ln(max/min) / ln(1 + tolerance))⌉.
 *
 * Usage: yarn bench search [--config FILE] [--jobs N] [--tolerances 0.5,0.2,...]
 * Default config: test/fixtures/exp/search.yaml (5 candidates, Llama-3.1-8B, 40 requests).
 */
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const root = fileURLToPath(new URL('..', import.meta.url));
const config = arg('--config') ?? join(root, 'test/fixtures/exp/search.yaml');
const jobs = Number(arg('--jobs') ?? 2);
const tolerances = (arg('--tolerances') ?? '0.5,0.2,0.1,0.05,0.02,0.01,0.005').split(',').map(Number);

const e = await loadSearch(config);
const plan = e.search!;
const tmp = mkdtempSync(join(tmpdir(), 'bench-search-'));
try {
  const t0 = performance.now();
  const run = await runExperiment(e, { out: join(tmp, 'run'), jobs });
  const s = (performance.now() - t0) / 1000;
  const units = run.manifest.units.map((u) => run.dir.readUnit(u, run.manifest.config_hash)!);
  const sims = units.reduce((n, u) => n + 1 + u.search!.probes.length, 0);
  console.log(`${config}: ${units.length} candidate(s), ${sims} simulations (reference load + probes) in ${s.toFixed(1)} s on ${jobs} worker(s): ${(units.length / s).toFixed(2)} candidates/s, ${(sims / s).toFixed(1)} simulations/s`);

  const point = e.points[0]!;
  const { min, max } = plan.probe.rate;
  console.log(`\nbisection of '${point.systems[0]!.name}' over [${min}, ${max}] req/s at each tolerance (one process):`);
  console.log('tolerance  probes  stated  capacity (req/s)  fails at (req/s)  time (s)');
  for (const tolerance of tolerances) {
    const input: UnitInput & { search: typeof plan.probe } = {
      unit: 'bench', point: point.id, model: e.config.model, hardware: e.config.hardware, system: point.systems[0]!, workload: point.workload,
      timelineBins: 10, cdfPoints: 0, baseDir: e.baseDir, search: { ...plan.probe, rate: { ...plan.probe.rate, tolerance } },
    };
    const t = performance.now();
    const out = await runCandidate(input);
    const r = out.search!;
    console.log(`${String(tolerance).padEnd(9)}  ${String(r.probes.length).padStart(6)}  ${String(expectedProbes(min, max, tolerance)).padStart(6)}  ${r.capacity_req_s.toFixed(3).padStart(16)}  ${(r.fails_at_req_s?.toFixed(3) ?? '≥ max').padStart(16)}  ${((performance.now() - t) / 1000).toFixed(2).padStart(8)}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
