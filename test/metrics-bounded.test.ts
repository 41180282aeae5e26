import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DDSketch } from '@datadog/sketches-js';
import { IterationLog } from '../src/exp/iteration-log.ts';
import { RequestFileWriter, forEachLine } from '../src/exp/request-file.ts';
import { exactLatencies } from '../src/exp/unit-metrics.ts';
import { Distribution, SKETCH_RELATIVE_ACCURACY, type SystemSpec, fromArray, simulate } from '../src/sim/index.ts';
import { InFlightTracker } from '../src/sim/metrics/in-flight.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { Rng } from '../src/util/rng.ts';

/** The pieces that keep a long replay in bounded memory, each against an independent reference. */
const bounded = suite('bounded-memory metrics');
const dir = mkdtempSync(join(tmpdir(), 'metrics-bounded-'));

/** numpy.percentile's default (linear between order statistics), on a copy sorted by hand. */
function numpyPercentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const i = Math.floor(rank);
  return i + 1 < s.length ? s[i]! + (rank - i) * (s[i + 1]! - s[i]!) : s[i]!;
}

/** Most intervals [start, end) open at once: sort the 2n endpoints, ends first at equal times. */
function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const events = intervals.flatMap(([s, e]) => [[s, 1], [e, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let [open, most] = [0, 0];
  for (const [, d] of events) most = Math.max(most, (open += d));
  return most;
}

const QS = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

bounded('the sketch: every percentile within its stated relative error of the exact one, on seeded random data', () => {
  const rng = new Rng('sketch-accuracy');
  // Latency-like shapes: lognormal (wide), uniform (narrow), exponential, a bimodal mix with a heavy tail.
  const shapes: Record<string, () => number> = {
    lognormal: () => Math.exp(rng.normal() * 2 - 3),
    uniform: () => 0.05 + rng.uniform() * 0.01,
    exponential: () => -Math.log(1 - rng.uniform()) * 0.02,
    mix: () => (rng.uniform() < 0.9 ? 0.01 + rng.uniform() * 0.005 : 1 / (1e-3 + rng.uniform())),
  };
  for (const [shape, draw] of Object.entries(shapes)) {
    const xs = Array.from({ length: 100_000 }, draw);
    const d = new Distribution(1000); // exact for the first 1,000, sketched beyond
    for (const x of xs) d.add(x);
    assert.is(d.method(), `ddsketch ±${SKETCH_RELATIVE_ACCURACY * 100}%`);
    const sorted = [...xs].sort((a, b) => a - b);
    for (const q of QS) {
      // The sketch answers for the order statistic at rank ⌊q(n−1)⌋ (DDSketch, VLDB 2019, §2).
      const exact = sorted[Math.floor(q * (xs.length - 1))]!;
      const got = d.quantile(q);
      assert.ok(Math.abs(got / exact - 1) <= SKETCH_RELATIVE_ACCURACY * (1 + 1e-9), `${shape} q ${q}: ${got} vs ${exact}`);
      // And so, with 100k values, within 0.1% (+ the gap to the next order statistic) of numpy's interpolated value.
      const numpy = numpyPercentile(xs, q);
      const gap = Math.abs(sorted[Math.ceil(q * (xs.length - 1))]! - exact) / exact;
      assert.ok(Math.abs(got / numpy - 1) <= SKETCH_RELATIVE_ACCURACY + gap + 1e-9, `${shape} q ${q}: ${got} vs numpy ${numpy}`);
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(Math.abs(d.mean() / mean - 1) < 1e-12, `${shape}: the mean stays exact`);
  }
});

bounded('runs of equal values (one iteration\'s inter-token latencies): the same quantiles as a DDSketch fed one value at a time', () => {
  const rng = new Rng('sketch-runs');
  const reference = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  const d = new Distribution(0); // sketched from the first value
  // Clamped to the data's extremes, as Distribution does.
  const expected = (q: number): number => Math.min(reference.max, Math.max(reference.min, reference.getValueAtQuantile(q)));
  for (let batch = 0; batch < 3000; batch++) {
    const value = Math.exp(rng.normal() - 4);
    const run = 1 + Math.floor(rng.uniform() * 64);
    for (let k = 0; k < run; k++) {
      d.add(value);
      reference.accept(value);
    }
    // Asking in the middle counts the run so far, and does not count it twice afterwards.
    if (batch % 500 === 0) assert.is(d.quantile(0.9), expected(0.9), `after batch ${batch}`);
  }
  assert.is(d.count, reference.count);
  for (const q of QS) assert.is(d.quantile(q), expected(q), `q ${q}`);
});

bounded('below its cap a distribution is exact: numpy percentiles of the values sorted by hand', () => {
  const rng = new Rng('exact-below-cap');
  const xs = Array.from({ length: 5000 }, () => Math.exp(rng.normal()));
  const d = new Distribution();
  for (const x of xs) d.add(x);
  assert.is(d.method(), 'exact');
  for (const q of QS) assert.is(d.quantile(q), numpyPercentile(xs, q));
  assert.ok(Number.isNaN(new Distribution().summary().p99));
});

bounded('max in flight: a hand example where requests arrive exactly as another finishes', () => {
  // Requests [0,1), [1,2), [1,3), [2,2.5), and one rejected at 1 (it leaves as it arrives).
  // At t = 1 the first has left as two arrive: 2 in flight, not 3; at t = 2 again 2.
  const t = new InFlightTracker();
  t.arrive(0);
  t.arrive(1);
  t.arrive(1);
  t.arrive(1);
  t.depart(1); // the rejected one
  t.depart(1); // request 0 finishes (the simulator handles arrivals first at equal times)
  t.arrive(2);
  t.depart(2);
  t.depart(2.5);
  t.depart(3);
  assert.is(t.max(), 2);
  assert.is(maxOverlap([[0, 1], [1, 2], [1, 3], [2, 2.5], [1, 1]]), 2);
});

bounded('max in flight from the simulator equals the max overlap of its request intervals, over seeded random traces', async () => {
  let rejected = 0;
  for (let seed = 0; seed < 40; seed++) {
    const rng = new Rng(`in-flight-${seed}`);
    let t = 0;
    const requests = Array.from({ length: rng.int(1, 60) }, (_, id): TraceRequest => {
      t += rng.uniform() < 0.4 ? 0 : rng.uniform() * 0.05; // bursts of equal arrival times
      return { id, arrival: t, input: rng.int(1, 300), output: rng.int(1, 40) };
    });
    const spec: SystemSpec = {
      name: 'case', strategy: rng.pick(['tp', 'dp'] as const), world: 2, model: 'tiny', hardware: 'h200',
      engine: { num_gpu_blocks_override: rng.int(8, 40), block_size: 16, max_num_seqs: rng.int(1, 8) },
    };
    const intervals: [number, number][] = [];
    const r = await simulate(spec, fromArray(requests), {
      onRequest: (row) => intervals.push([row.arrival, row.finish]),
      onReject: (q) => intervals.push([q.arrival, q.arrival]),
    });
    rejected += r.requests.rejected;
    assert.is(intervals.length, requests.length);
    assert.is(r.max_in_flight, maxOverlap(intervals), `seed ${seed}`);
  }
  assert.ok(rejected > 0, 'no case rejected a request');
});

bounded('exact percentiles from a request file equal numpy percentiles of its column sorted by hand', () => {
  const rng = new Rng('exact-file');
  const file = join(dir, 'exact.requests.csv');
  const w = new RequestFileWriter(file);
  for (let id = 0; id < 3000; id++) {
    const arrival = id * 0.01;
    if (rng.uniform() < 0.05) {
      w.rejected({ id, arrival, input: 10, output: 5 });
      continue;
    }
    const ttft = Math.exp(rng.normal() - 3);
    const output = rng.int(1, 50);
    const tpot = output > 1 ? 0.01 + rng.uniform() * 0.02 : NaN;
    const e2e = ttft + (output > 1 ? tpot * (output - 1) : 0);
    w.finished({ id, replica: 0, arrival, input: 100, output, first_token: arrival + ttft, finish: arrival + e2e, ttft, tpot, e2e, preemptions: 0, cached_tokens: 0 });
  }
  w.commit();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const column = (name: string): number[] => lines.slice(1).map((l) => l.split(',')[header.indexOf(name)]!).filter((c) => c !== '').map(Number);
  const got = exactLatencies(file, w.rows, 10);
  for (const name of ['ttft_ms', 'tpot_ms', 'e2e_ms'] as const) {
    const xs = column(name);
    assert.equal(got[name], { p50: numpyPercentile(xs, 0.5), p90: numpyPercentile(xs, 0.9), p99: numpyPercentile(xs, 0.99) }, name);
  }
  // The CDF: 11 evenly spaced quantiles of TTFT, from the minimum to the maximum.
  const ttft = column('ttft_ms');
  assert.equal(got.cdf.ttft_ms, Array.from({ length: 11 }, (_, i) => numpyPercentile(ttft, i / 10)));
});

bounded('the iteration log spilled to disk bins exactly like an in-memory binning, and removes its file', () => {
  const rng = new Rng('iterations');
  const its = Array.from({ length: 1000 }, () => ({ start: rng.uniform() * 50, tokens: rng.int(1, 9000), mode: rng.pick(['tp', 'sp']) }));
  const spill = join(dir, 'iterations.partial');
  const log = new IterationLog('tp', spill, 16); // 16 records in memory: 62 spills
  for (const it of its) log.add(it.start, it.tokens, it.mode);
  assert.ok(readdirSync(dir).includes('iterations.partial'));
  const bins = 7;
  const tl = log.bin(bins);
  assert.not.ok(readdirSync(dir).includes('iterations.partial'));
  // By hand: width = last start / bins; each bin's count, mean tokens and share of 'tp'.
  const width = Math.max(...its.map((i) => i.start)) / bins;
  const binOf = (s: number): number => Math.min(bins - 1, Math.floor(s / width));
  for (let b = 0; b < bins; b++) {
    const mine = its.filter((i) => binOf(i.start) === b);
    assert.is(tl.iterations[b], mine.length);
    assert.ok(Math.abs(tl.tokens[b]! - mine.reduce((a, i) => a + i.tokens, 0) / mine.length) < 1e-9);
    assert.is(tl.tp_fraction![b], mine.filter((i) => i.mode === 'tp').length / mine.length);
  }
  assert.is(tl.bin_s, width);
});

bounded('lines are read whole across 1 MiB chunks, multi-byte characters included', () => {
  const file = join(dir, 'lines.txt');
  const lines = Array.from({ length: 40_000 }, (_, i) => `${i},système-é,${'x'.repeat(i % 70)}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const seen: string[] = [];
  forEachLine(file, (l) => seen.push(l));
  assert.equal(seen, lines);
});

bounded.run();
