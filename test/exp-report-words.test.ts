import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { RunManifest } from '../src/exp/manifest.ts';
import type { RunData } from '../src/exp/report/collect.ts';
import { compareRows, explainRatio } from '../src/exp/report/compare.ts';
import { terminalSummary } from '../src/exp/report/summary.ts';
import { BEST_MARK_LEGEND, winnersTable } from '../src/exp/report/tables.ts';
import type { UnitResult, UnitSummary } from '../src/exp/unit.ts';
import { expInProcess } from './helpers/exp-cli.ts';

/** What the terminal and summary.md say: warnings, ties, the '*' marker, ratios in words. */
const tmp = mkdtempSync(join(tmpdir(), 'exp-words-'));

const stats = (mean: number | null) => ({ mean, p50: mean, p90: mean, p99: mean });

/** A unit with the given headline values (everything else neutral). */
function unit(system: string, v: { ttft: number | null; tput: number; finished?: number }): UnitResult {
  const summary = {
    ttft_ms: stats(v.ttft), tpot_ms: stats(v.ttft === null ? null : 10), itl_ms: stats(10), e2e_ms: stats(v.ttft === null ? null : 1000),
    throughput_tok_s: v.tput, requests: { finished: v.finished ?? 10, rejected: 0 }, switches: 0,
    strategy: 'tp', world: 8, sp: 1, tp: 8, duration_s: 10, max_in_flight: 1,
    iterations: { count: 1, by_mode: {}, busy_s: 1 }, tokens: { input: 1, output: 1 }, preemptions: 0, rejections: {}, queue: null, breakdown: null, kv: null,
  } as UnitSummary;
  const none = { ttft_ms: [], tpot_ms: [], e2e_ms: [] };
  return { version: 2, config_hash: 'h', unit: `p000-${system}`, point: 'p000', system, summary, cdf: none, timeline: { bin_s: 1, iterations: [], tokens: [], tp_fraction: null } };
}

function runData(points: UnitResult[][], compare: RunManifest['compare'] = []): RunData {
  const plans = points.map((units, i) => ({ index: i, id: `p00${i}`, params: { workload: `w${i}` }, workload: `w${i}`, systems: units.map((u) => ({ name: u.system, strategy: 'tp', world: 8, sp: 1, tp: 8, unit: u.unit })) }));
  const manifest = { version: 1, name: 'words', description: '', config_hash: 'h', source: 'x.yaml', model: 'm', hardware: 'h200', compare, report: { timeline_bins: 10, cdf_points: 10, plots: false, percentiles: 'sketch' }, points: plans, skipped: [], shard: null, units: [] } as RunManifest;
  return { manifest, points: plans.map((plan, i) => ({ plan, units: points[i]! })), systems: [...new Set(points.flat().map((u) => u.system))] };
}

const words = suite('report wording');

words('equal values are a tie, listed together, never a win "by <0.01%"', () => {
  const data = runData([
    [unit('SP', { ttft: 100, tput: 5000 }), unit('Shift', { ttft: 100, tput: 5000 }), unit('TP', { ttft: 50, tput: 2000 })],
    // 100.004 vs 100: 0.004% apart (prints as 0.00%), a tie; 1% apart is a win by 1.0%.
    [unit('SP', { ttft: 100.004, tput: 5050 }), unit('Shift', { ttft: 100, tput: 5000 })],
  ]);
  const t = winnersTable(data, (i) => `w${i}`);
  const col = (h: string): number => t.header.indexOf(h);
  assert.is(t.rows[0]![col('best throughput')], 'tie: SP, Shift');
  assert.is(t.rows[0]![col('best TTFT mean')], 'TP (by 50.0%)');
  assert.is(t.rows[1]![col('best TTFT mean')], 'tie: Shift, SP (all)');
  assert.is(t.rows[1]![col('best throughput')], 'SP (by 1.0%)');
});

words("the terminal explains its '*' marker, once, when it uses it", () => {
  const marked = terminalSummary(runData([[unit('A', { ttft: 10, tput: 1 }), unit('B', { ttft: 20, tput: 2 })]]));
  assert.match(marked, /\s10\.0\*/);
  assert.is(marked.split(BEST_MARK_LEGEND).length, 2);
  const equal = terminalSummary(runData([[unit('A', { ttft: 10, tput: 1 }), unit('B', { ttft: 10, tput: 1 })]]));
  assert.not.match(equal, /\*/);
});

words('a ratio says what it divides and which way is better', () => {
  // TTFT: TP 157 ms, Shift 412 ms. Ratio baseline/system = 157/412 = 0.381; Shift is 412/157 = 2.62× slower.
  const data = runData([[unit('Shift', { ttft: 412, tput: 9000 }), unit('TP', { ttft: 157, tput: 6000 })]], [
    { system: 'Shift', baseline: 'TP', workload: 'w0', metric: 'ttft_ms.mean', paper: 1.5 },
    { system: 'Shift', baseline: 'TP', workload: 'w0', metric: 'throughput_tok_s' },
  ]);
  const [ttft, tput] = compareRows(data);
  assert.is(explainRatio(ttft!), '0.38× (TP 157 ms / Shift 412 ms: Shift is 2.62× slower)');
  // Throughput: system/baseline = 9000/6000 = 1.5.
  assert.is(explainRatio(tput!), '1.50× (Shift 9000 tok/s / TP 6000 tok/s: Shift is 1.50× higher)');
  const text = terminalSummary(data);
  assert.match(text, 'ttft_ms.mean at w0, Shift vs TP: 0.38× (TP 157 ms / Shift 412 ms: Shift is 2.62× slower); paper ~1.5×');
  assert.match(text, 'comparisons (> 1: the system is better than its baseline)');
});

const rejected = suite('a run in which requests are all rejected');

const config = (workloads: string): string => `name: rejected
model: llama-3.1-8b
engine: { max_model_len: 300 }
systems: [{ name: TP, strategy: tp, world: 2 }]
workloads:
${workloads}`;
const TOO_LONG = '  - { name: long, synthetic: { arrivals: { kind: saturate }, lengths: { kind: fixed, input: 500, output: 8 }, count: 3 } }\n';
const FITS = '  - { name: short, synthetic: { arrivals: { kind: saturate }, lengths: { kind: fixed, input: 100, output: 8 }, count: 3 } }\n';

rejected('no request finished anywhere: a warning naming the reason, and a non-zero exit', async () => {
  const file = join(tmp, 'all.yaml');
  writeFileSync(file, config(TOO_LONG));
  const out = join(tmp, 'all');
  const r = await expInProcess([file, '--out', out, '--jobs', '1']);
  assert.is(r.code, 1);
  assert.match(r.stdout, 'warning: TP at long finished no request (3 rejected: 3 × prompt + output exceed max_model_len (300 tokens))');
  assert.match(r.stderr, /error: no request finished at any point/);
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /## Warnings\n\n- \*\*TP at long finished no request/);
});

rejected('one point without a finished request warns, and the run still succeeds', async () => {
  const file = join(tmp, 'some.yaml');
  writeFileSync(file, config(FITS + TOO_LONG));
  const r = await expInProcess([file, '--out', join(tmp, 'some'), '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'warning: TP at long finished no request');
  assert.not.match(r.stdout, 'warning: TP at short');
});

words.run();
rejected.run();
