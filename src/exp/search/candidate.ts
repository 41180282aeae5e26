import { type UnitOutput, type UnitProgress, runUnit } from '../run-point.ts';
import type { UnitInput } from '../unit.ts';
import { bisectCapacity } from './bisect.ts';
import { workloadAtRate } from './rate.ts';
import { measureSlo } from './slo.ts';
import type { CandidateSearch, ProbeResult, SearchProbeSpec } from '../config/search-plan.ts';

/**
 * A search's unit: one candidate. It runs the candidate at the reference load like any unit
 * (request rows, CDFs, timeline: what the latency columns and the Pareto plot show), then
 * bisects its capacity with runs that keep their summary alone. The unit file holds both.
 */
export async function runCandidate(input: UnitInput & { readonly search: SearchProbeSpec }, onProgress: (p: UnitProgress) => void = () => {}): Promise<UnitOutput> {
  const s = input.search;
  const at = (rate: number): UnitInput => ({ ...input, workload: { ...input.workload, spec: workloadAtRate(s.workload, rate, s.nativeRate) } });
  const reference = await runUnit(at(s.rate.reference), onProgress);
  const probes: ProbeResult[] = [];
  const bracket = await bisectCapacity(s.rate.min, s.rate.max, s.rate.tolerance, async (rate) => {
    const { files: _f, ...rest } = at(rate);
    const out = await runUnit({ ...rest, cdfPoints: 0, timelineBins: 10 });
    const probe = measureSlo(rate, out.summary, s.slo);
    probes.push(probe);
    return probe.meets;
  });
  const search: CandidateSearch = { capacity_req_s: bracket.capacity, fails_at_req_s: bracket.failsAt, probes, reference: measureSlo(s.rate.reference, reference.summary, s.slo) };
  return { ...reference, search };
}

/** Runs a unit of an experiment or of a search (worker threads and --jobs 1 alike). */
export function runAnyUnit(input: UnitInput, onProgress?: (p: UnitProgress) => void): Promise<UnitOutput> {
  return input.search === undefined ? runUnit(input, onProgress) : runCandidate({ ...input, search: input.search }, onProgress);
}
