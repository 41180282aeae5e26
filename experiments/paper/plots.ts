import type { TopLevelSpec } from 'vega-lite';
import { systemColours } from '../../src/exp/report/palette.ts';
import { rateSweep } from './claims.ts';
import { pointsOf, pointOf, systemOf } from './results.ts';
import type { ExperimentId, StudyResults } from './study.ts';

/**
 * The README's plots (Vega-Lite, rendered to SVG beside it): the context sweep (experiment 2),
 * the rate sweep (experiment 3) and the Azure code trace (experiment 5). Systems keep the
 * project's colours (src/exp/report/palette.ts).
 */
export interface PaperPlot {
  readonly file: string;
  readonly title: string;
  readonly spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
// Static SVG: no ARIA descriptions or tooltips per mark (they would triple the file size).
const CONFIG = { aria: false, font: 'Helvetica, Arial, sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11, titleFontSize: 12 }, header: { labelFontSize: 12 } } as const;
const FOUR = ['DP', 'TP', 'SP', 'Shift'];

function colour(systems: readonly string[]): Record<string, unknown> {
  return { field: 'system', type: 'nominal', title: 'system', scale: systemColours(systems), sort: systems };
}

interface Panel {
  readonly metric: string;
  readonly title: string;
  readonly log: boolean;
}

/** Lines of `metric` against a numeric x, one per system; rows of data carry metric, x, value, system. */
interface XAxis {
  readonly field: string;
  readonly title: string;
  readonly ticks: readonly number[];
  /** Vega expression of a tick label from datum.value. */
  readonly label: string;
}

function linePanel(panel: Panel, x: XAxis, systems: readonly string[], facetRow?: string): Record<string, unknown> {
  const spec = {
    width: 250,
    height: 170,
    transform: [{ filter: { field: 'metric', equal: panel.metric } }],
    mark: { type: 'line', point: { filled: true, size: 40 } },
    encoding: {
      x: { field: x.field, type: 'quantitative', title: x.title, scale: { type: 'log', nice: false }, axis: { values: x.ticks, labelExpr: x.label, labelOverlap: false, grid: false } },
      y: { field: 'value', type: 'quantitative', title: panel.title, scale: panel.log ? { type: 'log' } : { zero: true } },
      color: colour(systems),
    },
  };
  return facetRow === undefined ? spec : { facet: { row: { field: facetRow, type: 'nominal', title: null, header: { labelOrient: 'top', labelFontWeight: 'bold' } } }, spec };
}

const CONTEXT_PANELS: readonly Panel[] = [
  { metric: 'ttft', title: 'TTFT at one request (ms, log)', log: true },
  { metric: 'tpot', title: 'TPOT at one request (ms)', log: false },
  { metric: 'throughput', title: 'saturated throughput (tok/s)', log: false },
];

function contextSweep(study: StudyResults): PaperPlot {
  const models: [ExperimentId, string][] = [['context-llama', 'Llama-3.3-70B'], ['context-qwen', 'Qwen3-32B']];
  const values = models.flatMap(([id, model]) => [
    ...pointsOf(study, id, 'latency').flatMap((p) =>
      FOUR.flatMap((s) => [
        { metric: 'ttft', value: systemOf(p, s).ttft_ms.mean },
        { metric: 'tpot', value: systemOf(p, s).tpot_ms.mean },
      ].map((m) => ({ ...m, model, system: s, ctx: Number(p.params.ctx) }))),
    ),
    ...pointsOf(study, id, 'peak').flatMap((p) => FOUR.map((s) => ({ metric: 'throughput', value: systemOf(p, s).throughput_tok_s || null, model, system: s, ctx: Number(p.params.ctx) }))),
  ]).filter((v) => v.value !== null);
  return {
    file: 'context-sweep.svg',
    title: 'Experiment 2: TTFT and TPOT at one request, throughput at saturation, against input length',
    spec: {
      $schema: SCHEMA,
      title: 'Context sweep, 250 output tokens, 8× H200 (rejected requests not drawn)',
      data: { values },
      hconcat: CONTEXT_PANELS.map((panel) => linePanel(panel, { field: 'ctx', title: 'input tokens (log scale)', ticks: [...new Set(values.map((v) => v.ctx))], label: "format(datum.value / 1024, '.0f') + 'k'" }, FOUR, 'model')),
      config: CONFIG,
    } as unknown as TopLevelSpec,
  };
}

const RATE_PANELS: readonly Panel[] = [
  { metric: 'completion', title: 'completion time (s, log)', log: true },
  { metric: 'ttft', title: 'mean TTFT (s, log)', log: true },
  { metric: 'tpot', title: 'mean TPOT (ms, log)', log: true },
];

function rateSweepPlot(study: StudyResults): PaperPlot {
  const systems = ['DP', 'TP', 'Shift'];
  const completion = rateSweep(study).flatMap((r) => systems.map((s) => ({ metric: 'completion', value: r.completion[s]! / 1000, system: s, rate: r.rate })));
  const latencies = pointsOf(study, 'rate-sweep', 'poisson-8k').flatMap((p) =>
    systems.flatMap((s) => [
      { metric: 'ttft', value: (systemOf(p, s).ttft_ms.mean ?? NaN) / 1000, system: s, rate: Number(p.params.rate) },
      { metric: 'tpot', value: systemOf(p, s).tpot_ms.mean ?? NaN, system: s, rate: Number(p.params.rate) },
    ]),
  );
  return {
    file: 'rate-sweep.svg',
    title: 'Experiment 3: completion time, TTFT and TPOT against the Poisson arrival rate, 8k in / 250 out',
    spec: {
      $schema: SCHEMA,
      title: 'Rate sweep, Llama-3.3-70B FP8, 8192 in / 250 out (completion = TTFT + 250 × TPOT)',
      data: { values: [...completion, ...latencies].filter((v) => Number.isFinite(v.value)) },
      hconcat: RATE_PANELS.map((panel) => linePanel(panel, { field: 'rate', title: 'arrival rate (requests/s, log scale)', ticks: [...new Set(completion.map((v) => v.rate))], label: "format(datum.value, '~g')" }, systems)),
      config: CONFIG,
    } as unknown as TopLevelSpec,
  };
}

const AZURE_PANELS = [
  { key: 'ttft_ms', title: 'TTFT (ms, log)', scale: 1 },
  { key: 'tpot_ms', title: 'TPOT (ms, log)', scale: 1 },
  { key: 'e2e_ms', title: 'completion time (s, log)', scale: 1e-3 },
] as const;

function azurePlot(study: StudyResults): PaperPlot {
  const p = pointOf(study, 'azure-code', 'azure-code');
  const stats = ['mean', 'p50', 'p99'] as const;
  const values = AZURE_PANELS.flatMap((panel) =>
    FOUR.flatMap((s) => stats.map((st) => ({ metric: panel.key, statistic: st, system: s, value: (systemOf(p, s)[panel.key][st] ?? NaN) * panel.scale }))),
  ).filter((v) => Number.isFinite(v.value));
  return {
    file: 'azure-code.svg',
    title: 'Experiment 5: TTFT, TPOT and completion time (mean, p50, p99) on the Azure code trace',
    spec: {
      $schema: SCHEMA,
      title: 'Azure code trace, minutes 2–17 (2,834 requests), Llama-3.3-70B FP8, 8× H200',
      data: { values },
      hconcat: AZURE_PANELS.map((panel) => {
        // Bars on a log axis need a floor to start from: the powers of ten around the values.
        const mine = values.filter((v) => v.metric === panel.key).map((v) => v.value);
        const [floor, ceiling] = [10 ** Math.floor(Math.log10(Math.min(...mine))), 10 ** Math.ceil(Math.log10(Math.max(...mine)))];
        return {
        width: 220,
        height: 200,
        transform: [{ filter: { field: 'metric', equal: panel.key } }],
        mark: 'bar',
        encoding: {
          x: { field: 'statistic', type: 'nominal', title: 'statistic over requests', sort: stats, axis: { labelAngle: 0 } },
          xOffset: { field: 'system', type: 'nominal', sort: FOUR },
          y: { field: 'value', type: 'quantitative', title: panel.title, scale: { type: 'log', domain: [floor, ceiling] } },
          y2: { datum: floor },
          color: colour(FOUR),
        },
        };
      }),
      config: CONFIG,
    } as unknown as TopLevelSpec,
  };
}

export function paperPlots(study: StudyResults): PaperPlot[] {
  return [contextSweep(study), rateSweepPlot(study), azurePlot(study)];
}
