import type { RunDir } from '../store.ts';
import type { RunManifest } from '../manifest.ts';
import type { CandidatePlan, CandidateSearch, ProbeResult, SearchManifest } from '../config/search-plan.ts';

/** A simulated candidate with its outcome. */
export interface RankedCandidate {
  readonly rank: number;
  readonly plan: CandidatePlan;
  readonly search: CandidateSearch;
}

export interface SearchOutcome {
  readonly manifest: RunManifest & { readonly search: SearchManifest };
  /** Simulated candidates, best first: capacity descending, then p99 TTFT at the reference load, then name. */
  readonly ranked: readonly RankedCandidate[];
  readonly pruned: readonly CandidatePlan[];
  readonly undeployable: readonly CandidatePlan[];
  /** The best candidate, when it meets the SLO at some rate (capacity > 0). */
  readonly winner?: RankedCandidate;
  /** When none does: the candidate whose best probe came closest (smallest margin), and that probe. */
  readonly nearest?: { readonly candidate: RankedCandidate; readonly probe: ProbeResult };
}

export class SearchReportError extends Error {
  override readonly name = 'SearchReportError';
}

const byNumber = (a: number | null, b: number | null): number => (a ?? Infinity) - (b ?? Infinity);

/**
 * Reads a search's plan and its finished units: every simulated candidate the directory is
 * responsible for (a shard: its own) must be finished.
 */
export function collectSearch(dir: RunDir): SearchOutcome {
  const manifest = dir.manifest();
  if (manifest.search === undefined) throw new SearchReportError(`${dir.dir} holds an experiment, not a search (its run.json has no search plan)`);
  const plan = manifest.search;
  const mine = new Set(manifest.units);
  const simulated = plan.candidates.filter((c) => c.status === 'simulated' && mine.has(c.unit!)).map((c) => ({ plan: c, search: dir.readUnit(c.unit!, manifest.config_hash)?.search }));
  const unfinished = simulated.filter((c) => c.search === undefined).map((c) => c.plan);
  if (unfinished.length > 0) throw new SearchReportError(`${dir.dir}: ${unfinished.length} candidate(s) not finished (${unfinished.slice(0, 4).map((c) => c.name).join(', ')}${unfinished.length > 4 ? ', ...' : ''}); resume the run first`);
  const outcomes = simulated.map((c) => ({ plan: c.plan, search: c.search! }));
  outcomes.sort((a, b) => b.search.capacity_req_s - a.search.capacity_req_s || byNumber(a.search.reference.ttft_p99_ms, b.search.reference.ttft_p99_ms) || (a.plan.name < b.plan.name ? -1 : a.plan.name > b.plan.name ? 1 : 0));
  const ranked = outcomes.map((o, i) => ({ rank: i + 1, ...o }));
  const best = ranked[0];
  const out = { manifest: manifest as SearchOutcome['manifest'], ranked, pruned: plan.candidates.filter((c) => c.status === 'pruned'), undeployable: plan.candidates.filter((c) => c.status === 'undeployable') };
  if (best !== undefined && best.search.capacity_req_s > 0) return { ...out, winner: best };
  return { ...out, ...nearestMiss(ranked) };
}

/** The closest miss: the probe with the smallest margin over every candidate. */
function nearestMiss(ranked: readonly RankedCandidate[]): Pick<SearchOutcome, 'nearest'> {
  let nearest: SearchOutcome['nearest'];
  for (const c of ranked) {
    for (const p of [...c.search.probes, c.search.reference]) if (nearest === undefined || p.margin < nearest.probe.margin) nearest = { candidate: c, probe: p };
  }
  return nearest === undefined ? {} : { nearest };
}
