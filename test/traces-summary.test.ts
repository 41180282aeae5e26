import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quantile, summarizeTrace, type Distribution } from '../src/traces/summary.ts';
import { testNeedingTraces, tracePath } from './helpers/needs-traces.ts';

/** Rounds like the README table (one decimal unless said otherwise). */
const r = (x: number, digits = 1): number => Number(x.toFixed(digits));
const triple = (d: Distribution): number[] => [r(d.mean), r(d.median), r(d.p99)];

test('quantile interpolates linearly between order statistics (numpy default)', () => {
  const xs = Float64Array.from([1, 2, 3, 4, 10]);
  assert.is(quantile(xs, 0.5), 3);
  assert.is(quantile(xs, 0.99), 4 + 0.96 * 6); // h = 3.96
  assert.is(quantile(Float64Array.from([7]), 0.99), 7);
});

testNeedingTraces(test, ['azure-code'], 'Azure code matches the README table', async () => {
  const s = await summarizeTrace(tracePath('azure-code'));
  assert.is(s.rows, 8819);
  assert.equal(triple(s.input), [2047.8, 1469, 7436]);
  assert.equal(triple(s.output), [27.9, 13, 251.5]);
  const a = s.arrivals;
  if (a === undefined) throw new Error('no arrival statistics');
  assert.equal([r(a.span), r(a.rate, 3), r(a.cv, 2), r(a.cvPerMinute, 2), a.peakPerMinute], [3435.9, 2.567, 13.15, 1.04, 632]);
});

testNeedingTraces(test, ['mooncake-conversation'], 'Mooncake conversation matches the README table', async () => {
  const s = await summarizeTrace(tracePath('mooncake-conversation'), { dropHashIds: true });
  assert.is(s.rows, 12031);
  assert.equal(triple(s.input), [12035.1, 6909, 85400.4]);
  assert.equal(triple(s.output), [342.6, 350, 1118.5]);
  assert.equal([r(s.arrivals?.rate ?? NaN, 3), r(s.arrivals?.cv ?? NaN, 2), s.arrivals?.peakPerMinute], [3.401, 3.03, 247]);
});

testNeedingTraces(test, ['bwb-lengths'], 'length files: rows and distributions, no arrivals', async () => {
  const s = await summarizeTrace(tracePath('bwb-lengths'));
  assert.is(s.format, 'lengths');
  assert.is(s.rows, 33768);
  assert.equal(triple(s.input), [1067.2, 1037, 1800]);
  assert.equal(triple(s.output), [1612.8, 1601, 2533]);
  assert.equal([s.input.min, s.input.max, s.output.min, s.output.max], [5, 3504, 6, 2858]);
  assert.is(s.arrivals, undefined);
});

test.run();
