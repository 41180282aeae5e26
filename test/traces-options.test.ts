import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TraceOptionsError } from '../src/traces/errors.ts';
import { openTraceFrom } from '../src/traces/load.ts';
import type { TraceOptions } from '../src/traces/options.ts';
import type { TraceSource } from '../src/traces/source.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { Rng } from '../src/util/rng.ts';

/** A Vidur-format source over given rows (times in seconds), generated in memory. */
function source(rows: readonly { t: number; i: number; o: number }[]): TraceSource {
  const text = () => ['arrived_at,num_prefill_tokens,num_decode_tokens\n', ...rows.map((r) => `${r.t},${r.i},${r.o}\n`)];
  return { label: 'generated', open: () => Readable.from(text()) };
}

async function all(src: TraceSource, options: TraceOptions = {}): Promise<TraceRequest[]> {
  const out: TraceRequest[] = [];
  for await (const r of openTraceFrom(src, options).stream) out.push(r);
  return out;
}

/** Random rows: sorted times in [10, 1010) with repeats, random lengths. */
function randomRows(seed: number, n: number): { t: number; i: number; o: number }[] {
  const rng = new Rng(seed);
  const times = Array.from({ length: n }, () => 10 + Math.floor(rng.uniform() * 4000) / 4).sort((a, b) => a - b);
  return times.map((t) => ({ t, i: rng.int(1, 9000), o: rng.int(1, 900) }));
}

test('window, zeroAt, timeScale and maxRequests agree with a direct computation (seeded rows)', async () => {
  for (const seed of [1, 2, 3]) {
    const rows = randomRows(seed, 400);
    const src = source(rows);
    const rng = new Rng(`opts-${seed}`);
    for (let k = 0; k < 6; k++) {
      const start = Math.floor(rng.uniform() * 600);
      const duration = 1 + Math.floor(rng.uniform() * 500);
      const scale = [0.5, 1, 2.5][rng.int(0, 3)] as number;
      const zeroAt = rng.uniform() < 0.5 ? 'first' : 'window';
      const cap = rng.int(1, 300);
      // Window times count from the first row (10 s here).
      const t0 = (rows[0] as { t: number }).t;
      const kept = rows.filter((r) => r.t - t0 >= start && r.t - t0 < start + duration).slice(0, cap);
      const origin = zeroAt === 'window' ? start : (kept[0]?.t ?? 0) - t0;
      const got = await all(src, { window: { start, duration }, timeScale: scale, zeroAt, maxRequests: cap });
      assert.is(got.length, kept.length);
      got.forEach((r, j) => {
        const want = kept[j] as { t: number; i: number; o: number };
        assert.is(r.id, j);
        assert.is(r.input, want.i);
        assert.ok(Math.abs(r.arrival - (want.t - t0 - origin) * scale) < 1e-9);
      });
    }
  }
});

test('consumption is lazy: the first 10 requests of an endless trace', async () => {
  let produced = 0;
  function* endless(): Generator<string> {
    yield 'arrived_at,num_prefill_tokens,num_decode_tokens\n';
    for (let i = 0; ; i++) {
      produced++;
      yield `${i * 0.1},${100 + i},${i + 1}\n`;
    }
  }
  const h = openTraceFrom({ label: 'endless', open: () => Readable.from(endless()) });
  const got: TraceRequest[] = [];
  for await (const r of h.stream) {
    got.push(r);
    if (got.length === 10) break;
  }
  assert.equal(got.map((r) => r.input), [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  // Stream buffers read ahead a little (about a thousand rows here); an eager reader never returns.
  assert.ok(produced < 20000, `produced ${produced} rows for 10 requests`);
  assert.not.ok(h.stats.done);
  // A cap on the endless trace ends it.
  const capped = openTraceFrom({ label: 'endless', open: () => Readable.from(endless()) }, { maxRequests: 25 });
  let n = 0;
  for await (const _ of capped.stream) n++;
  assert.is(n, 25);
  assert.ok(capped.stats.done);
});

test('a stream can be replayed: two iterations give identical requests', async () => {
  const h = openTraceFrom(source(randomRows(9, 100)), { window: { start: 100 } });
  const a: TraceRequest[] = [];
  for await (const r of h.stream) a.push(r);
  const b: TraceRequest[] = [];
  for await (const r of h.stream) b.push(r);
  assert.ok(a.length > 50);
  assert.equal(a, b);
  assert.is(h.stats.requests, a.length);
});

test('bad options are rejected naming the option', () => {
  const src = source([{ t: 0, i: 1, o: 1 }]);
  const bad: [TraceOptions, RegExp][] = [
    [{ timeScale: 0 }, /timeScale must be a finite number > 0, got 0/],
    [{ timeScale: -1 }, /timeScale/],
    [{ maxRequests: 1.5 }, /maxRequests must be a positive integer/],
    [{ maxRequests: 0 }, /maxRequests/],
    [{ window: { start: -5 } }, /window.start/],
    [{ window: { duration: 0 } }, /window.duration/],
    [{ spreadSteps: -3 }, /spreadSteps/],
    [{ zeroAt: 'middle' as 'first' }, /zeroAt/],
    [{ format: 'parquet' as 'azure' }, /format must be one of azure, mooncake, vidur, lengths/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => openTraceFrom(src, options), (e: Error) => e instanceof TraceOptionsError && message.test(e.message));
  }
});

test.run();
