import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openTrace } from '../src/traces/load.ts';
import type { TraceOptions } from '../src/traces/options.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { testNeedingTraces, tracePath } from './helpers/needs-traces.ts';

/** Every test here reads the conversation trace; each is skipped when it is missing. */
const needsConversation = (name: string, fn: () => Promise<void>): void => testNeedingTraces(test, ['mooncake-conversation'], name, fn);

async function all(options: TraceOptions = {}): Promise<TraceRequest[]> {
  const out: TraceRequest[] = [];
  for await (const r of openTrace(tracePath('mooncake-conversation'), options).stream) out.push(r);
  return out;
}

needsConversation('conversation trace: 12,031 rows, 0 → 3,536.999 s, hash ids of 512-token blocks', async () => {
  const rs = await all();
  assert.is(rs.length, 12031);
  assert.is(rs[0]?.arrival, 0);
  assert.is(rs.at(-1)?.arrival, 3536.999);
  assert.is(rs[0]?.hashIds?.length, 14);
  // README: the list has ceil(input_length / 512) entries on every row.
  assert.ok(rs.every((r) => r.hashIds?.length === Math.ceil(r.input / 512)));
  // Timestamps come in ~3 s steps: 1,180 distinct values.
  assert.is(new Set(rs.map((r) => r.arrival)).size, 1180);
});

needsConversation("the paper's window (timestamps < 900,000 ms) keeps 2,728 requests; hash ids can be dropped", async () => {
  const rs = await all({ window: { duration: 900 }, dropHashIds: true });
  assert.is(rs.length, 2728);
  assert.ok(rs.every((r) => r.hashIds === undefined && r.arrival < 900));
});

needsConversation('spreading steps: same requests, in order, each group evenly over its step', async () => {
  const batch = await all({ window: { duration: 900 }, dropHashIds: true });
  const spread = await all({ window: { duration: 900 }, dropHashIds: true, spreadSteps: 3 });
  assert.is(spread.length, batch.length);
  const groups = new Map<number, number>();
  for (const r of batch) groups.set(r.arrival, (groups.get(r.arrival) ?? 0) + 1);
  const steps = [...groups.keys()];
  let i = 0;
  for (const [k, t] of steps.entries()) {
    const n = groups.get(t) as number;
    const width = Math.min(3, (steps[k + 1] ?? Infinity) - t);
    for (let j = 0; j < n; j++, i++) {
      const b = batch[i] as TraceRequest;
      const s = spread[i] as TraceRequest;
      assert.is(s.input, b.input);
      assert.ok(Math.abs(s.arrival - (t + (j * width) / n)) < 1e-9, `request ${i}: ${s.arrival} vs step ${t}`);
    }
  }
  assert.ok(spread.every((r, k) => k === 0 || r.arrival >= (spread[k - 1] as TraceRequest).arrival));
  // The point of spreading: far fewer simultaneous arrivals.
  assert.ok(new Set(spread.map((r) => r.arrival)).size > 0.9 * spread.length);
});

needsConversation('time scale 0.5 halves every arrival (twice the rate); cap keeps the first N', async () => {
  const base = await all({ maxRequests: 500 });
  const fast = await all({ maxRequests: 500, timeScale: 0.5 });
  assert.is(base.length, 500);
  assert.equal(fast.map((r) => r.arrival * 2), base.map((r) => r.arrival));
  assert.equal(fast.map((r) => r.input), base.map((r) => r.input));
});

test.run();
