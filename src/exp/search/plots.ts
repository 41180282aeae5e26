import type { TopLevelSpec } from 'vega-lite';
import type { PlotSpec } from '../report/plots.ts';
import type { SearchOutcome } from './rank.ts';

const CONFIG = { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 } } as const;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

interface Operating {
  readonly candidate: string;
  readonly strategy: string;
  readonly throughput: number;
  readonly ttft: number;
  readonly where: string;
}

/**
 * Each candidate at its capacity (the highest rate meeting the SLO: its throughput and p99
 * TTFT there), or, for one that meets it nowhere, at the reference load; the line joins the
 * Pareto frontier (no other point has both more throughput and lower p99 TTFT).
 */
function pareto(o: SearchOutcome): PlotSpec {
  const values: Operating[] = o.ranked.flatMap((c) => {
    const passing = c.search.probes.filter((p) => p.meets).sort((a, b) => b.rate - a.rate)[0];
    const p = passing ?? c.search.reference;
    if (p.ttft_p99_ms === null || !(p.ttft_p99_ms > 0)) return [];
    return [{ candidate: c.plan.name, strategy: c.plan.strategy, throughput: p.throughput_tok_s, ttft: p.ttft_p99_ms, where: passing ? 'at capacity' : `reference load (${o.manifest.search.rate.reference}/s): SLO never met` }];
  });
  const frontier = values
    .filter((v) => v.where === 'at capacity')
    .filter((v, _, all) => !all.some((w) => w !== v && w.throughput >= v.throughput && w.ttft <= v.ttft && (w.throughput > v.throughput || w.ttft < v.ttft)))
    .sort((a, b) => a.throughput - b.throughput);
  return {
    file: 'pareto.svg',
    title: 'p99 TTFT against throughput over all candidates, with the Pareto frontier',
    spec: {
      $schema: SCHEMA,
      title: 'Candidates: p99 TTFT vs throughput (line: Pareto frontier)',
      width: 520,
      height: 320,
      layer: [
        {
          data: { values: frontier },
          mark: { type: 'line', color: '#888', strokeDash: [4, 3] },
          encoding: { x: { field: 'throughput', type: 'quantitative' }, y: { field: 'ttft', type: 'quantitative' }, order: { field: 'throughput' } },
        },
        {
          data: { values },
          mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
          encoding: {
            x: { field: 'throughput', type: 'quantitative', title: 'throughput (tokens/s, input + output; log scale)', scale: { type: 'log' } },
            y: { field: 'ttft', type: 'quantitative', title: 'p99 TTFT (ms, log scale)', scale: { type: 'log' } },
            color: { field: 'strategy', type: 'nominal', title: 'strategy' },
            shape: { field: 'where', type: 'nominal', title: 'operating point' },
            tooltip: [{ field: 'candidate' }, { field: 'throughput', format: '.0f' }, { field: 'ttft', format: '.1f' }],
          },
        },
      ],
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** p99 TTFT and TPOT against the arrival rate for the best few, from their probes and reference run; rules at the targets. */
function capacityCurves(o: SearchOutcome): PlotSpec {
  const best = o.ranked.slice(0, o.manifest.search.curves);
  const slo = o.manifest.search.slo;
  const values = best.flatMap((c) =>
    [...c.search.probes, c.search.reference]
      .sort((a, b) => a.rate - b.rate)
      .flatMap((p) => [
        { metric: 'p99 TTFT (ms)', value: p.ttft_p99_ms, target: slo.ttft_p99_ms ?? null },
        { metric: 'p99 TPOT (ms)', value: p.tpot_p99_ms, target: slo.tpot_p99_ms ?? null },
      ].filter((m) => m.value !== null && m.value > 0).map((m) => ({ ...m, candidate: `${c.rank}. ${c.plan.name}`, rate: p.rate }))),
  );
  return {
    file: 'capacity-curves.svg',
    title: `Latency against arrival rate for the best ${best.length} candidate(s) (dashed: the SLO targets)`,
    spec: {
      $schema: SCHEMA,
      title: 'Capacity curves of the best candidates',
      data: { values },
      facet: { row: { field: 'metric', type: 'nominal', title: null } },
      spec: {
        width: 480,
        height: 200,
        layer: [
          {
            mark: { type: 'line', point: { filled: true, size: 50 } },
            encoding: {
              x: { field: 'rate', type: 'quantitative', title: 'arrival rate (requests/s, log scale)', scale: { type: 'log' } },
              y: { field: 'value', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
              color: { field: 'candidate', type: 'nominal', title: 'candidate' },
              order: { field: 'rate' },
            },
          },
          { mark: { type: 'rule', color: '#444', strokeDash: [5, 4] }, encoding: { y: { field: 'target', type: 'quantitative', aggregate: 'max' } } },
        ],
      },
      resolve: { scale: { y: 'independent' } },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

export function searchPlots(o: SearchOutcome): PlotSpec[] {
  return o.ranked.length === 0 ? [] : [pareto(o), capacityCurves(o)];
}
