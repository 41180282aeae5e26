import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { writeFileAtomic } from '../atomic.ts';
import { indexHtml } from '../report/html.ts';
import { renderSvg, resetSvgIds } from '../report/render.ts';
import type { ReportFiles } from '../report/index.ts';
import type { RunDir } from '../store.ts';
import { type RankedCandidate, type SearchOutcome, collectSearch } from './rank.ts';
import { searchPlots } from './plots.ts';
import type { ProbeResult } from '../config/search-plan.ts';
import { winnerYaml } from './winner.ts';

/**
 * The report of a search: search.json (every candidate: capacity, probes, reference load),
 * summary.md (the SLO, the ranked table, pruned and undeployable candidates with reasons),
 * plots/pareto.svg and plots/capacity-curves.svg, winner.yaml (a ready-to-run experiment) and
 * index.html. Written from run.json and the unit files alone, so a merge of shards writes the
 * same bytes as one process.
 */
const ms = (v: number | null): string => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const rate = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function describeSlo(o: SearchOutcome): string {
  const s = o.manifest.search.slo;
  return [
    ...(s.ttft_p99_ms === undefined ? [] : [`p99 TTFT ≤ ${s.ttft_p99_ms} ms`]),
    ...(s.tpot_p99_ms === undefined ? [] : [`p99 TPOT ≤ ${s.tpot_p99_ms} ms`]),
    ...(s.goodput === undefined ? [] : [`≥ ${s.goodput.min_fraction * 100}% of requests with TTFT ≤ ${s.goodput.ttft_ms} ms and TPOT ≤ ${s.goodput.tpot_ms} ms`]),
  ].join(', ');
}

function capacityText(c: RankedCandidate, max: number): string {
  const cap = c.search.capacity_req_s;
  if (cap === 0) return 'none (fails at min)';
  return c.search.fails_at_req_s === null ? `≥ ${rate(max)}` : rate(cap);
}

/** The ranked table (markdown), `limit` rows at most. */
export function rankedTable(o: SearchOutcome, limit = Infinity): string {
  const r = o.manifest.search.rate;
  const rows = o.ranked.slice(0, limit).map((c) => {
    const ref = c.search.reference;
    return `| ${c.rank} | ${c.plan.name} | ${capacityText(c, r.max)} | ${c.search.probes.length} | ${ms(ref.ttft_p99_ms)} | ${ms(ref.tpot_p99_ms)} | ${ref.throughput_tok_s.toFixed(0)} | ${ref.meets ? 'yes' : 'no'} |`;
  });
  return [
    `| # | candidate | capacity (req/s) | probes | p99 TTFT (ms) @ ${r.reference}/s | p99 TPOT (ms) @ ${r.reference}/s | throughput (tok/s) @ ${r.reference}/s | meets SLO @ ${r.reference}/s |`,
    '|---:|---|---:|---:|---:|---:|---:|:---:|',
    ...rows,
  ].join('\n');
}

function probeText(p: ProbeResult): string {
  return `at ${rate(p.rate)} req/s: p99 TTFT ${ms(p.ttft_p99_ms)} ms, p99 TPOT ${ms(p.tpot_p99_ms)} ms${p.good_fraction === null ? '' : `, ${(p.good_fraction * 100).toFixed(1)}% good`}${p.rejected > 0 ? `, ${p.rejected} rejected` : ''} (worst target ×${p.margin.toFixed(2)})`;
}

/** The verdict: the winner, or that no candidate meets the SLO and the nearest miss. */
export function verdict(o: SearchOutcome): string {
  const shard = o.manifest.shard;
  if (shard !== null) return `shard ${shard.index}/${shard.count}: ${o.ranked.length} of the search's candidates; ${o.winner === undefined ? 'none of them meets the SLO' : `its best: ${o.winner.plan.name}`} (merge the shards for the ranking and the winner)`;
  if (o.winner !== undefined) {
    const w = o.winner;
    // The bisection resolves capacities to the tolerance only: closer ones are a tie.
    const tol = o.manifest.search.rate.tolerance;
    const tied = o.ranked.filter((c) => c !== w && c.search.capacity_req_s * (1 + tol) > w.search.capacity_req_s);
    const names = tied.slice(0, 4).map((c) => c.plan.name).join(', ') + (tied.length > 4 ? ', ...' : '');
    return `winner: ${w.plan.name}, capacity ${capacityText(w, o.manifest.search.rate.max)} req/s${tied.length === 0 ? '' : `; tied within the tolerance (${tol * 100}%): ${tied.length} more (${names})`}`;
  }
  if (o.ranked.length === 0) return `no candidate was simulated (${o.undeployable.length} undeployable, ${o.pruned.length} pruned by a bound): no winner`;
  const n = o.nearest!;
  return `no candidate meets the SLO (${describeSlo(o)}) at any rate from ${o.manifest.search.rate.min} req/s; nearest: ${n.candidate.plan.name} ${probeText(n.probe)}`;
}

function summaryMarkdown(o: SearchOutcome, plots: readonly { file: string; title: string }[]): string {
  const m = o.manifest;
  const s = m.search;
  const candidates = s.candidates.length;
  const lines = [
    `# Search ${m.name}`,
    '',
    ...(m.description ? [m.description, ''] : []),
    `Model ${m.model} on ${m.hardware}; workload '${s.workload}'${s.native_rate === undefined ? ' (synthetic, arrival rate set per probe)' : ` (trace, own mean rate ${s.native_rate.toFixed(3)} req/s, replayed at each rate by scaling its inter-arrival times)`}.`,
    `SLO: ${describeSlo(o)}; a rejected request fails it.`,
    `Capacity: the highest arrival rate meeting the SLO, by bisection on a log scale over [${s.rate.min}, ${s.rate.max}] req/s until fail ≤ pass × (1 + ${s.rate.tolerance}): the true capacity lies in [capacity, capacity × ${1 + s.rate.tolerance}), assuming latency grows with load.`,
    `Space: ${candidates} candidate(s): ${o.ranked.length} simulated, ${o.pruned.length} pruned by a bound, ${o.undeployable.length} undeployable.`,
    '',
    `**${verdict(o)}**`,
    '',
    '## Ranked',
    '',
    rankedTable(o),
    '',
    '## Pruned (a bound proves they cannot win; not simulated)',
    '',
    ...(o.pruned.length === 0 ? ['None: the decode-step bound (one decode step alone slower than the p99 TPOT target) held for no candidate, so every deployable candidate was simulated.'] : o.pruned.map((c) => `- ${c.name}: ${c.reason}`)),
    '',
    '## Undeployable',
    '',
    ...(o.undeployable.length === 0 ? ['None.'] : o.undeployable.map((c) => `- ${c.name}: ${c.reason}`)),
    '',
    '## Plots',
    '',
    ...plots.map((p) => `![${p.title}](${p.file})`),
    '',
  ];
  return lines.join('\n');
}

/** The search's result as JSON: every candidate in rank order, then the others. */
function searchJson(o: SearchOutcome): unknown {
  return {
    config: o.manifest.name,
    slo: o.manifest.search.slo,
    rate: o.manifest.search.rate,
    winner: o.winner?.plan.name ?? null,
    ranked: o.ranked.map((c) => ({ rank: c.rank, ...c.plan, ...c.search })),
    pruned: o.pruned,
    undeployable: o.undeployable,
  };
}

/** Writes the report files of a finished search; holds the directory's lock meanwhile. */
export async function writeSearchReport(dir: RunDir): Promise<ReportFiles> {
  const release = dir.lock();
  try {
    const o = collectSearch(dir);
    const path = (f: string): string => join(dir.dir, f);
    writeFileAtomic(path('search.json'), `${JSON.stringify(searchJson(o), null, 2)}\n`);
    const specs = o.manifest.report.plots ? searchPlots(o) : [];
    if (specs.length > 0) mkdirSync(path('plots'), { recursive: true });
    resetSvgIds();
    const plots = [];
    for (const s of specs) {
      const svg = await renderSvg(s.spec);
      writeFileAtomic(path(join('plots', s.file)), svg);
      plots.push({ file: `plots/${s.file}`, title: s.title, svg });
    }
    const files = ['search.json', 'summary.md', ...plots.map((p) => p.file)];
    if (o.winner !== undefined && o.manifest.shard === null) {
      const resolved = parse(dir.resolvedText()) as Record<string, unknown>;
      writeFileAtomic(path('winner.yaml'), winnerYaml(o, o.winner, resolved, dirname(resolve(o.manifest.source)), resolve(dir.dir)));
      files.push('winner.yaml');
    }
    writeFileAtomic(path('summary.md'), summaryMarkdown(o, plots));
    const terminal = terminalSummary(o, dir.dir);
    if (o.manifest.report.plots) {
      writeFileAtomic(path('index.html'), indexHtml({ title: o.manifest.name, description: o.manifest.description, summary: terminalSummary(o), files: files.map((f) => ({ file: f, title: f })), plots }));
      files.push('index.html');
    }
    return { files, terminal };
  } finally {
    release();
  }
}

function terminalSummary(o: SearchOutcome, where?: string): string {
  return [
    `${o.manifest.name}: SLO ${describeSlo(o)}; ${o.ranked.length} candidate(s) simulated, ${o.pruned.length} pruned, ${o.undeployable.length} undeployable`,
    rankedTable(o, 10),
    ...(o.ranked.length > 10 ? [`(${o.ranked.length - 10} more in summary.md)`] : []),
    verdict(o),
    ...(where === undefined ? [] : [`report: ${join(where, 'summary.md')}${o.winner === undefined || o.manifest.shard !== null ? '' : `; the winner as an experiment: ${join(where, 'winner.yaml')}`}`]),
  ].join('\n');
}
