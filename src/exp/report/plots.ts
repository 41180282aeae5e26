import type { TopLevelSpec } from 'vega-lite';
import type { UnitSummary } from '../unit.ts';
import { type RunData, pointLabel } from './collect.ts';
import { MODE_COLOURS, systemColours } from './palette.ts';
import { HEADLINE } from './tables.ts';

/** A plot of the report: its file name (under plots/), a title for links, and its Vega-Lite spec. */
export interface PlotSpec {
  readonly file: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

const CONFIG = { font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 320 }, header: { labelFontSize: 12 } } as const;

function colour(data: RunData, title = 'system'): Record<string, unknown> {
  return { field: 'system', type: 'nominal', title, scale: systemColours(data.systems), sort: data.systems };
}

/** TTFT and TPOT against throughput, one line per system across each workload's points. */
function latencyThroughput(data: RunData): PlotSpec {
  const values = data.points.flatMap((p, order) =>
    p.units.flatMap((u) => [
      { metric: 'TTFT mean', value: u.summary.ttft_ms.mean },
      { metric: 'TPOT mean', value: u.summary.tpot_ms.mean },
    ].filter((m) => m.value !== null && m.value > 0).map((m) => ({ ...m, system: u.system, workload: p.plan.workload, point: pointLabel(p.plan), throughput: u.summary.throughput_tok_s, order }))),
  );
  return {
    file: 'latency-throughput.svg',
    title: 'Latency against throughput (TTFT and TPOT, every point)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Latency vs throughput',
      data: { values },
      facet: { row: { field: 'metric', type: 'nominal', title: null }, column: { field: 'workload', type: 'nominal', title: null } },
      spec: {
        width: 260,
        height: 190,
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: {
          x: { field: 'throughput', type: 'quantitative', title: 'throughput (tokens/s, input + output)', scale: { zero: true } },
          y: { field: 'value', type: 'quantitative', title: 'latency (ms, log scale)', scale: { type: 'log' } },
          color: colour(data),
          order: { field: 'order' },
          tooltip: [{ field: 'system' }, { field: 'point' }, { field: 'value', format: '.1f' }],
        },
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** CDF of a per-request latency (the quantiles each unit saved), one panel per point. */
function cdf(data: RunData, key: 'ttft_ms' | 'tpot_ms'): PlotSpec {
  const name = key === 'ttft_ms' ? 'TTFT' : 'TPOT';
  const values = data.points.flatMap((p) =>
    p.units.flatMap((u) =>
      u.cdf[key]
        .map((value, i, all) => ({ value, fraction: i / (all.length - 1) }))
        .filter((c) => c.value > 0)
        .map((c) => ({ ...c, system: u.system, point: pointLabel(p.plan) })),
    ),
  );
  return {
    file: `${name.toLowerCase()}-cdf.svg`,
    title: `CDF of ${name} per request`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: `${name} distribution (CDF over requests)`,
      data: { values },
      facet: { field: 'point', type: 'nominal', title: null, sort: data.points.map((p) => pointLabel(p.plan)) },
      columns: 3,
      spec: {
        width: 240,
        height: 170,
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'value', type: 'quantitative', title: `${name} (ms, log scale)`, scale: { type: 'log', nice: false } },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of requests', scale: { domain: [0, 1] } },
          color: colour(data),
        },
      },
      resolve: { scale: { x: 'independent' } },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Headline metrics as bars: one row of panels per metric (titled with its unit), one panel per point. */
function bars(data: RunData): PlotSpec {
  const metrics: { metric: string; get: (s: UnitSummary) => number | null }[] = [
    { metric: 'TTFT mean (ms)', get: (s) => s.ttft_ms.mean },
    { metric: 'TPOT mean (ms)', get: (s) => s.tpot_ms.mean },
    { metric: 'throughput (tokens/s)', get: (s) => s.throughput_tok_s },
  ];
  const values = data.points.flatMap((p) => p.units.flatMap((u) => metrics.map((m) => ({ metric: m.metric, value: m.get(u.summary), system: u.system, point: pointLabel(p.plan) })).filter((v) => v.value !== null)));
  const points = data.points.map((p) => pointLabel(p.plan));
  const row = (metric: string, first: boolean): object => ({
    transform: [{ filter: { field: 'metric', equal: metric } }],
    facet: { column: { field: 'point', type: 'nominal', title: null, sort: points, header: first ? {} : { labels: false } } },
    spec: {
      width: Math.max(80, 18 * data.systems.length),
      height: 120,
      mark: 'bar',
      encoding: {
        x: { field: 'system', type: 'nominal', title: 'system', sort: data.systems, axis: { labels: false, ticks: false } },
        y: { field: 'value', type: 'quantitative', title: metric },
        color: colour(data),
        tooltip: [{ field: 'system' }, { field: 'value', format: ',.1f' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
  return {
    file: 'metrics.svg',
    title: 'Mean TTFT, mean TPOT and throughput per point and system',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Headline metrics (each panel has its own scale)',
      data: { values },
      vconcat: metrics.map((m, i) => row(m.metric, i === 0)),
      config: CONFIG,
    } as unknown as TopLevelSpec,
  };
}

/**
 * Every system against the best at each point, per headline metric: 1 is the best, 1.25 is 25%
 * worse. Makes visible where each system (policy, threshold) wins and by how much.
 */
function relative(data: RunData): PlotSpec {
  const values = data.points.flatMap((p) =>
    HEADLINE.flatMap((m) => {
      const vs = p.units.map((u) => ({ system: u.system, v: m.value(u.summary) })).filter((x): x is { system: string; v: number } => x.v !== null && x.v > 0);
      if (vs.length === 0) return [];
      const best = m.better === 'lower' ? Math.min(...vs.map((x) => x.v)) : Math.max(...vs.map((x) => x.v));
      return vs.map((x) => ({ metric: m.header, point: pointLabel(p.plan), system: x.system, ratio: m.better === 'lower' ? x.v / best : best / x.v }));
    }),
  );
  const cell = { width: Math.max(90, 60 * data.points.length), height: 18 * data.systems.length };
  // At least [1, 1.1], so that equal systems do not collapse the colour scale.
  const worst = Math.max(1.1, ...values.map((v) => v.ratio));
  return {
    file: 'relative.svg',
    title: 'Each system against the best system at each point (1 = best)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Where each system wins', subtitle: 'value relative to the best system at that point (1.00 = best; lower is better)' },
      data: { values },
      facet: { column: { field: 'metric', type: 'nominal', title: null, sort: HEADLINE.map((m) => m.header) } },
      spec: {
        ...cell,
        encoding: {
          x: { field: 'point', type: 'nominal', title: 'point', sort: data.points.map((p) => pointLabel(p.plan)), axis: { labelAngle: -30 } },
          y: { field: 'system', type: 'nominal', title: 'system', sort: data.systems },
        },
        layer: [
          { mark: 'rect', encoding: { color: { field: 'ratio', type: 'quantitative', title: '× the best', scale: { type: 'log', scheme: 'orangered', domain: [1, worst] } } } },
          {
            mark: { type: 'text', fontSize: 9 },
            encoding: {
              text: { field: 'ratio', type: 'quantitative', format: '.2f' },
              color: { condition: { test: `datum.ratio > ${Math.sqrt(worst)}`, value: 'white' }, value: 'black' },
            },
          },
        ],
      },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

/** Shift systems of one point: batch tokens per iteration over time, coloured by the mode mostly run. */
function timeline(data: RunData, index: number): PlotSpec | undefined {
  const p = data.points[index]!;
  const shift = p.units.filter((u) => u.timeline.tp_fraction !== null);
  if (shift.length === 0) return undefined;
  const values = shift.flatMap((u) =>
    u.timeline.tokens.flatMap((tokens, i) => {
      const f = u.timeline.tp_fraction![i];
      if (u.timeline.iterations[i] === 0 || f === null || f === undefined) return [];
      return [{ system: u.system, t0: i * u.timeline.bin_s, t1: (i + 1) * u.timeline.bin_s, tokens, fraction: f, mode: f >= 0.5 ? 'full TP (shift model)' : 'SP (base model)' }];
    }),
  );
  return {
    file: `timeline-${p.plan.id}.svg`,
    title: `Shift's mode and batch tokens over time, ${pointLabel(p.plan)}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: `Shift mode and batch size over time: ${pointLabel(p.plan)}`, subtitle: 'bars: mean scheduled tokens per iteration in each time bin, coloured by the mode most iterations ran' },
      data: { values },
      facet: { row: { field: 'system', type: 'nominal', title: null, sort: data.systems } },
      spec: {
        width: 640,
        height: 150,
        mark: { type: 'rect' },
        encoding: {
          x: { field: 't0', type: 'quantitative', title: 'simulated time (s)' },
          x2: { field: 't1' },
          // Bars rise from 1 token on a log scale: decode-only bins and big prefill bins both show.
          y: { field: 'tokens', type: 'quantitative', title: 'tokens/iter (log)', scale: { type: 'log' } },
          y2: { datum: 1 },
          color: { field: 'mode', type: 'nominal', title: 'mode', scale: { domain: ['full TP (shift model)', 'SP (base model)'], range: [MODE_COLOURS.tp, MODE_COLOURS.sp] } },
          tooltip: [{ field: 't0', title: 'from s' }, { field: 'tokens', format: '.0f' }, { field: 'fraction', title: 'TP fraction', format: '.2f' }],
        },
      },
      config: CONFIG,
    } as TopLevelSpec,
  };
}

export function reportPlots(data: RunData): PlotSpec[] {
  const timelines = data.points.map((_, i) => timeline(data, i)).filter((x): x is PlotSpec => x !== undefined);
  const comparisons = data.systems.length > 1 ? [relative(data)] : [];
  return [latencyThroughput(data), bars(data), ...comparisons, cdf(data, 'ttft_ms'), cdf(data, 'tpot_ms'), ...timelines];
}
