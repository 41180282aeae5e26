import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { azureTimestampParser, secondsBetween, type AzureInstant } from '../src/traces/azure-time.ts';
import { loadTrace } from '../src/traces/index.ts';
import { openTrace } from '../src/traces/load.ts';
import type { TraceOptions } from '../src/traces/options.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { testNeedingTraces, tracePath } from './helpers/needs-traces.ts';

// Resolved when a test runs: the traces are optional, and a test needing a missing one is skipped.
const CODE = (): string => tracePath('azure-code');
const CONV = (): string => tracePath('azure-conv');

async function all(path: string, options: TraceOptions = {}): Promise<TraceRequest[]> {
  const out: TraceRequest[] = [];
  for await (const r of openTrace(path, options).stream) out.push(r);
  return out;
}

function instant(text: string): AzureInstant {
  const t = azureTimestampParser()(text);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

test('timestamps: whole seconds are exact epoch seconds, fractions keep 100 ns', () => {
  const a = instant('2023-11-16 18:17:03.9799600');
  assert.is(a.whole, Date.UTC(2023, 10, 16, 18, 17, 3) / 1000);
  assert.ok(Math.abs(a.frac - 0.97996) < 1e-15);
  const b = instant('2023-11-16 18:17:04.0319600');
  assert.ok(Math.abs(secondsBetween(a, b) - 0.052) < 1e-12);
  // 100 ns apart, across a day boundary (a cached date must not leak into the next day).
  const p = azureTimestampParser();
  const c = p('2023-11-16 23:59:59.9999999') as AzureInstant;
  const d = p('2023-11-17 00:00:00.0000000') as AzureInstant;
  assert.ok(Math.abs(secondsBetween(c, d) - 1e-7) < 1e-13);
});

test('timestamps: zones, missing fraction and bad text', () => {
  assert.is(secondsBetween(instant('2024-05-10 00:00:00'), instant('2024-05-10 02:00:00.5+02:00')), 0.5);
  assert.is(instant('2024-05-10T00:00:00Z').whole, Date.UTC(2024, 4, 10) / 1000);
  const p = azureTimestampParser();
  for (const bad of ['2023-02-30 00:00:00.0', '2023-11-16 24:00:00.0', '2023-11-16 18:60:00', '18:17:03', '']) {
    const r = p(bad);
    assert.type(r, 'string', `'${bad}' should be rejected`);
    assert.ok((r as string).includes(`'${bad}'`), `the reason names the text: ${String(r)}`);
  }
  // After a good row of the same date the fast path must still reject nonsense.
  p('2023-11-16 18:17:03.9799600');
  assert.type(p('2023-11-16 18:17:03.97x'), 'string');
  assert.type(p('2023-11-16 18:77:03.9'), 'string');
});

testNeedingTraces(test, ['azure-code'], 'code trace: 8,819 rows, span and token sums match the file', async () => {
  const rs = await all(CODE());
  assert.is(rs.length, 8819);
  assert.equal(rs[0], { id: 0, arrival: 0, input: 4808, output: 10 });
  assert.ok(Math.abs((rs.at(-1) as TraceRequest).arrival - 3435.948056) < 1e-9); // 19:14:19.9280160 − 18:17:03.9799600
  assert.is(rs.reduce((s, r) => s + r.input, 0), 18059974);
  assert.ok(rs.every((r, i) => r.id === i && (i === 0 || r.arrival >= (rs[i - 1] as TraceRequest).arrival)));
});

testNeedingTraces(test, ['azure-conv'], 'conv trace: 19,366 rows', async () => {
  const rs = await all(CONV());
  assert.is(rs.length, 19366);
  assert.ok(Math.abs((rs.at(-1) as TraceRequest).arrival - 3501.721937) < 1e-6);
});

testNeedingTraces(test, ['azure-code'], "the paper's window, minutes 2–17: 2,834 requests spanning ~751 s", async () => {
  const rs = await all(CODE(), { window: { start: 120, duration: 900 } });
  assert.is(rs.length, 2834);
  assert.is(rs[0]?.arrival, 0);
  assert.ok(Math.abs((rs.at(-1) as TraceRequest).arrival - 751.273226) < 1e-6);
  // Zeroed at the window start instead, the first request keeps its 63 s offset into the window.
  const w = await all(CODE(), { window: { start: 120, duration: 900 }, zeroAt: 'window' });
  assert.is(w.length, 2834);
  assert.ok(Math.abs((w[0] as TraceRequest).arrival - 63.061791) < 1e-6);
  assert.ok(w.every((r) => r.arrival >= 0 && r.arrival < 900));
});

for (const [name, azure, vidur] of [
  ['code', 'azure-code', 'splitwise-code'],
  ['conv', 'azure-conv', 'splitwise-conv'],
] as const) {
  testNeedingTraces(test, [azure, vidur], `splitwise_${name} (Vidur format) equals the Azure ${name} trace`, async () => {
    const [a, v] = await Promise.all([all(tracePath(azure)), all(tracePath(vidur))]);
    assert.is(v.length, a.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as TraceRequest;
      const y = v[i] as TraceRequest;
      if (x.input !== y.input || x.output !== y.output) assert.unreachable(`row ${i} differs in tokens`);
      worst = Math.max(worst, Math.abs(x.arrival - y.arrival));
    }
    assert.ok(worst < 5e-13, `arrival times differ by up to ${worst} s`);
  });
}

testNeedingTraces(test, ['azure-conv'], 'loadTrace (the entry point of index.ts) takes a catalog name too', async () => {
  let n = 0;
  let inputs = 0;
  for await (const r of loadTrace('azure-conv', { maxRequests: 100 })) {
    n++;
    inputs += r.input;
  }
  const direct = (await all(CONV())).slice(0, 100).reduce((s, r) => s + r.input, 0);
  assert.is(n, 100);
  assert.is(inputs, direct);
});

test.run();
