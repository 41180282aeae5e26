import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TraceOptionsError } from '../src/traces/errors.ts';
import { arrivalTimes, type ArrivalSpec } from '../src/traces/synthetic/arrivals.ts';
import { sampleGamma } from '../src/traces/synthetic/gamma.ts';
import { lengthSampler } from '../src/traces/synthetic/lengths.ts';
import { rateSweep, syntheticStream, type SyntheticSpec } from '../src/traces/synthetic/stream.ts';
import { loadLengths } from '../src/traces/load.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { Rng } from '../src/util/rng.ts';
import { testNeedingTraces, tracePath } from './helpers/needs-traces.ts';

function times(spec: ArrivalSpec, n: number, seed = 7): Float64Array {
  const it = arrivalTimes(spec, new Rng(seed));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = it.next().value as number;
  return out;
}

/** Observed rate (gaps per second) and CV of the gaps. */
function rateAndCv(t: Float64Array): { rate: number; cv: number } {
  const n = t.length - 1;
  let s = 0;
  let s2 = 0;
  for (let i = 1; i < t.length; i++) {
    const g = (t[i] as number) - (t[i - 1] as number);
    s += g;
    s2 += g * g;
  }
  const mean = s / n;
  return { rate: 1 / mean, cv: Math.sqrt(s2 / n - mean * mean) / mean };
}

const near = (got: number, want: number, rel: number, what: string): void =>
  assert.ok(Math.abs(got / want - 1) < rel, `${what}: ${got} vs ${want} (tolerance ${rel * 100}%)`);

async function collect(spec: SyntheticSpec, seed: string | number): Promise<TraceRequest[]> {
  const out: TraceRequest[] = [];
  for await (const r of syntheticStream(spec, seed).stream) out.push(r);
  return out;
}

test('poisson: rate within 3% and CV within 5% over 20k arrivals; first arrival at 0', () => {
  for (const rate of [0.5, 4, 100]) {
    const t = times({ kind: 'poisson', rate }, 20000);
    assert.is(t[0], 0);
    const m = rateAndCv(t);
    near(m.rate, rate, 0.03, `poisson ${rate} rate`);
    near(m.cv, 1, 0.05, `poisson ${rate} CV`);
  }
});

test('gamma: CV from cv or from vLLM burstiness (cv = 1/sqrt(b)), rate kept', () => {
  for (const [spec, cv, n] of [
    [{ kind: 'gamma', rate: 2, cv: 0.5 }, 0.5, 20000],
    [{ kind: 'gamma', rate: 2, cv: 1 }, 1, 20000],
    [{ kind: 'gamma', rate: 5, cv: 2 }, 2, 100000],
    [{ kind: 'gamma', rate: 5, burstiness: 0.25 }, 2, 100000],
    [{ kind: 'gamma', rate: 1, burstiness: 4 }, 0.5, 20000],
  ] as [ArrivalSpec, number, number][]) {
    const m = rateAndCv(times(spec, n));
    const rate = (spec as { rate: number }).rate;
    near(m.rate, rate, 0.03, `${JSON.stringify(spec)} rate`);
    near(m.cv, cv, 0.05, `${JSON.stringify(spec)} CV`);
  }
});

test('gamma sampler: mean = shape, variance = shape, also for shape < 1', () => {
  for (const shape of [0.3, 1, 2.5, 9]) {
    const rng = new Rng(`g${shape}`);
    let s = 0;
    let s2 = 0;
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const x = sampleGamma(shape, rng);
      assert.ok(x >= 0);
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    near(mean, shape, 0.03, `gamma(${shape}) mean`);
    near(s2 / n - mean * mean, shape, 0.06, `gamma(${shape}) variance`);
  }
});

test('constant and saturate: exact times', () => {
  assert.equal([...times({ kind: 'constant', rate: 4 }, 4)], [0, 0.25, 0.5, 0.75]);
  assert.equal([...times({ kind: 'saturate' }, 3)], [0, 0, 0]);
});

test('bursts: steady stream plus bursts of exact size inside their intervals, in order', async () => {
  const spec: SyntheticSpec = {
    arrivals: { kind: 'bursts', baseRate: 1, bursts: { count: 4, size: 200, first: 60, period: 120, duration: 10 } },
    lengths: { kind: 'fixed', input: 4096, output: 250 },
    duration: 600,
  };
  const rs = await collect(spec, 'b');
  assert.ok(rs.every((r, i) => r.id === i && (i === 0 || r.arrival >= (rs[i - 1] as TraceRequest).arrival)));
  for (let b = 0; b < 4; b++) {
    const lo = 60 + 120 * b;
    const inBurst = rs.filter((r) => r.arrival >= lo && r.arrival < lo + 10).length;
    // 200 burst requests plus the ~10 of the 1 req/s background in those 10 s.
    assert.ok(inBurst >= 200 && inBurst < 230, `burst ${b}: ${inBurst}`);
  }
  const background = rs.length - 800;
  assert.ok(background > 500 && background < 700, `background ${background} for ~600 expected`);
  // Bursts alone (base rate 0) end by themselves; duration 0 puts a burst at one instant.
  const only = await collect({ arrivals: { kind: 'bursts', baseRate: 0, bursts: [{ at: 5, size: 3 }, { at: 1, size: 2 }] }, lengths: { kind: 'fixed', input: 1, output: 1 } }, 1);
  assert.equal(only.map((r) => r.arrival), [1, 1, 5, 5, 5]);
});

test('same seed → identical stream; other seed → different; length spec does not move arrivals', async () => {
  const spec: SyntheticSpec = { arrivals: { kind: 'gamma', rate: 3, cv: 2 }, lengths: { kind: 'uniform', input: [100, 8000], output: [1, 500] }, count: 2000 };
  const a = await collect(spec, 42);
  const b = await collect(spec, 42);
  const c = await collect(spec, 43);
  assert.equal(a, b);
  assert.not.equal(a.map((r) => r.arrival), c.map((r) => r.arrival));
  const fixed = await collect({ ...spec, lengths: { kind: 'fixed', input: 8192, output: 250 } }, 42);
  assert.equal(fixed.map((r) => r.arrival), a.map((r) => r.arrival));
  // Replaying one handle twice gives the same requests too.
  const h = syntheticStream(spec, 42);
  const again: TraceRequest[] = [];
  for await (const r of h.stream) again.push(r);
  assert.equal(again, a);
  assert.is(h.stats.requests, 2000);
  assert.ok(h.stats.done);
});

test('count and duration stop the stream, whichever first', async () => {
  const spec: SyntheticSpec = { arrivals: { kind: 'poisson', rate: 10 }, lengths: { kind: 'fixed', input: 1, output: 1 }, duration: 30 };
  const rs = await collect(spec, 3);
  assert.ok(rs.length > 250 && rs.length < 350);
  assert.ok(rs.every((r) => r.arrival < 30));
  assert.is((await collect({ ...spec, count: 17 }, 3)).length, 17);
  assert.is((await collect({ arrivals: { kind: 'saturate' }, lengths: { kind: 'fixed', input: 4096, output: 250 }, count: 1000 }, 0)).filter((r) => r.arrival === 0).length, 1000);
});

test('lengths: uniform covers [lo, hi] inclusive', () => {
  const u = lengthSampler({ kind: 'uniform', input: [3, 6], output: [7, 7] });
  const rng = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const l = u(rng);
    assert.ok(l.input >= 3 && l.input <= 6 && l.output === 7);
    seen.add(l.input);
  }
  assert.equal([...seen].sort(), [3, 4, 5, 6]);
});

testNeedingTraces(test, ['sharegpt-lengths'], 'lengths: file lengths come from the file', async () => {
  const rng = new Rng(1);
  const table = await loadLengths(tracePath('sharegpt-lengths'));
  assert.is(table.input.length, 30731);
  const pairs = new Set(Array.from(table.input, (x, i) => `${x}/${table.output[i]}`));
  const f = lengthSampler({ kind: 'file', file: 'sharegpt' }, table);
  let sum = 0;
  for (let i = 0; i < 20000; i++) {
    const l = f(rng);
    assert.ok(pairs.has(`${l.input}/${l.output}`));
    sum += l.input;
  }
  near(sum / 20000, 2340.0, 0.03, 'sampled ShareGPT input mean'); // README: mean 2,340.0
});

test('bad parameters are rejected with the parameter named', async () => {
  const fixed = { kind: 'fixed', input: 10, output: 10 } as const;
  const bad: [() => unknown, RegExp][] = [
    [() => syntheticStream({ arrivals: { kind: 'poisson', rate: 0 }, lengths: fixed, count: 5 }, 1), /arrivals.rate must be a finite number > 0, got 0/],
    [() => syntheticStream({ arrivals: { kind: 'poisson', rate: -2 }, lengths: fixed, count: 5 }, 1), /arrivals.rate/],
    [() => syntheticStream({ arrivals: { kind: 'gamma', rate: 1, cv: 0 }, lengths: fixed, count: 5 }, 1), /arrivals.cv must be a finite number > 0, got 0/],
    [() => syntheticStream({ arrivals: { kind: 'gamma', rate: 1, burstiness: -1 }, lengths: fixed, count: 5 }, 1), /arrivals.burstiness/],
    [() => syntheticStream({ arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'uniform', input: [9, 3], output: [1, 1] }, count: 5 }, 1), /lengths.input: lo 9 is greater than hi 3/],
    [() => syntheticStream({ arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'fixed', input: -1, output: 1 }, count: 5 }, 1), /lengths.input must be an integer >= 0/],
    [() => syntheticStream({ arrivals: { kind: 'poisson', rate: 1 }, lengths: fixed }, 1), /never ends: give count/],
    [() => syntheticStream({ arrivals: { kind: 'saturate' }, lengths: fixed, duration: 10 }, 1), /give count/],
    [() => syntheticStream({ arrivals: { kind: 'poisson', rate: 1 }, lengths: fixed, count: 0 }, 1), /count must be an integer >= 1/],
    [() => syntheticStream({ arrivals: { kind: 'bursts', baseRate: 0, bursts: [{ at: -1, size: 3 }] }, lengths: fixed }, 1), /bursts\[0\].at/],
    [() => syntheticStream({ arrivals: { kind: 'bursts', baseRate: -1, bursts: [{ at: 1, size: 3 }] }, lengths: fixed, count: 3 }, 1), /baseRate/],
    [() => rateSweep({ arrivals: { kind: 'saturate' }, lengths: fixed, count: 5 }, [1]), /needs arrivals with a rate/],
    [() => rateSweep({ arrivals: { kind: 'poisson', rate: 1 }, lengths: fixed, count: 5 }, [1, 0]), /rates\[1\]/],
  ];
  for (const [f, message] of bad) {
    assert.throws(f, (e: Error) => e instanceof TraceOptionsError && message.test(e.message), String(message));
  }
});

test('rate sweep: one spec per rate, otherwise unchanged', async () => {
  const base: SyntheticSpec = { arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'fixed', input: 8192, output: 250 }, count: 5000 };
  const specs = rateSweep(base, [1, 4, 16]);
  assert.equal(specs.map((s) => (s.arrivals as { rate: number }).rate), [1, 4, 16]);
  for (const s of specs) {
    const rs = await collect(s, 5);
    const t = Float64Array.from(rs, (r) => r.arrival);
    near(rateAndCv(t).rate, (s.arrivals as { rate: number }).rate, 0.05, 'swept rate');
  }
});

test.run();
