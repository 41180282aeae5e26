import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ParallelConfigError } from '../src/parallel/mode.ts';
import { PolicyError } from '../src/policy/types.ts';
import { Deque } from '../src/util/deque.ts';
import { EventQueue, EventType } from '../src/sim/events.ts';
import { BlockPool } from '../src/engine/block-pool.ts';
import { QueueTracker } from '../src/sim/metrics/queue.ts';
import { SimRequest } from '../src/sim/request.ts';
import { createRouter } from '../src/sim/routers/registry.ts';
import { Scheduler } from '../src/engine/scheduler.ts';
import { SimConfigError, type SystemSpec, TraceOrderError, fromArray, simulate, synthetic } from '../src/sim/index.ts';
import type { RequestStream, TraceRequest } from '../src/traces/types.ts';

/** The simulator's parts one by one, and the errors a user sees. */

const parts = suite('parts');

parts('QueueTracker: a steady queue is bounded, a linearly growing one is not', () => {
  const steady = new QueueTracker(64);
  const growing = new QueueTracker(64);
  for (let k = 0; k < 10000; k++) {
    steady.sample(k * 0.1, k % 5);
    growing.sample(k * 0.1, Math.floor(k / 4));
  }
  assert.ok(steady.stats().bounded && Math.abs(steady.stats().growth_req_per_s) < 0.01);
  const g = growing.stats();
  assert.ok(!g.bounded && Math.abs(g.growth_req_per_s - 2.5) < 0.05, `growth ${g.growth_req_per_s}`);
  assert.is(g.max_waiting, 2499);
});

parts('EventQueue pops by (time, type, insertion order); Deque is FIFO with unshift', () => {
  const q = new EventQueue();
  q.push(2, EventType.Wake, 0);
  q.push(1, EventType.Wake, 1);
  q.push(1, EventType.StepEnd, 2);
  q.push(1, EventType.StepEnd, 3);
  q.push(0.5, EventType.Wake, 4);
  const order: number[] = [];
  while (q.size > 0) order.push(q.pop()!.engine);
  assert.equal(order, [4, 2, 3, 1, 0]);
  const d = new Deque<number>();
  for (let k = 0; k < 40; k++) d.push(k);
  d.unshift(-1);
  const out: number[] = [];
  while (d.length > 0) out.push(d.shift()!);
  assert.equal(out, [-1, ...Array.from({ length: 40 }, (_, k) => k)]);
});

parts('routers: round-robin cycles; least-outstanding takes the least loaded, lowest index on ties', () => {
  const load = (w: number[], r: number[]) => w.map((x, index) => ({ index, waitingCount: x, runningCount: r[index]! }));
  const req: TraceRequest = { id: 0, arrival: 0, input: 1, output: 1 };
  const rr = createRouter('round-robin');
  assert.equal([0, 1, 2, 3, 4].map(() => rr.route(req, load([0, 0, 0], [0, 0, 0]))), [0, 1, 2, 0, 1]);
  const lo = createRouter('least-outstanding');
  assert.is(lo.route(req, load([1, 0, 1], [3, 2, 0])), 2);
  assert.is(lo.route(req, load([1, 1, 0], [0, 0, 1])), 0);
  assert.throws(() => createRouter('random'), (e: Error) => e instanceof SimConfigError && /known: round-robin, least-outstanding/.test(e.message));
});

parts('scheduler: decodes first, chunked prefill within the budget, preemption of the last running request', () => {
  const kv = new BlockPool(6, 4); // 24 tokens
  const s = new Scheduler<SimRequest>({ maxNumBatchedTokens: 10, maxNumSeqs: 4 }, kv, null);
  const a = new SimRequest(0, 0, 7, 20, 0);
  const b = new SimRequest(1, 0, 9, 20, 0);
  s.waiting.push(a);
  s.waiting.push(b);
  let out = s.schedule();
  assert.equal(out.counts, [7, 3]); // a whole, b chunked to the 3 tokens left
  assert.equal([out.sampled, out.decodes, kv.used], [1, 0, 2 + 1]);
  const sink = { tokens: 0, token: () => void sink.tokens++, finish: () => undefined };
  s.update(out, 1, sink);
  out = s.schedule(); // a decodes (1), b's rest (6)
  assert.equal(out.counts, [1, 6]);
  assert.equal([out.decodes, out.decodeContext], [1, 8]);
  s.update(out, 2, sink);
  assert.equal([a.generated, b.generated, sink.tokens], [2, 1, 3]);
  // Both decode until b (one token ahead) needs a 4th block at context 13 while a holds 3 of
  // the 6: b, the last running request, preempts itself and goes back to the front of the queue.
  let t = 3;
  for (out = s.schedule(); out.preempted === 0; out = s.schedule()) {
    assert.equal(out.counts, [1, 1]);
    s.update(out, t++, sink);
  }
  assert.equal([b.generated, b.tokens], [4, 13]); // it keeps its output and will recompute 13 tokens
  assert.equal([out.preempted, out.reqs.map((r) => r.id), b.computed, b.blocks, b.preemptions, s.waiting.peek()?.id], [1, [0], 0, 0, 1, 1]);
  assert.equal([t, kv.used], [6, 3]);
});

parts.run();

const errors = suite('errors and streaming');
const ok: SystemSpec = { name: 'x', strategy: 'tp', world: 8, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8' };

errors('bad specs name the key to change', async () => {
  const fails = async (spec: SystemSpec, type: new (...a: never[]) => Error, msg: RegExp): Promise<void> => {
    try {
      await simulate(spec, synthetic({ count: 1, input: 8, output: 2 }));
      assert.unreachable(`accepted ${JSON.stringify(spec)}`);
    } catch (e) {
      assert.instance(e, type);
      assert.match((e as Error).message, msg);
    }
  };
  await fails({ ...ok, world: 16 }, SimConfigError, /world 16 GPUs exceed one h200 node \(8\)/);
  await fails({ ...ok, policy: 'threshold' }, SimConfigError, /policy only shift switch modes/);
  await fails({ ...ok, router: 'round-robin' }, SimConfigError, /router only dp have replicas/);
  await fails({ ...ok, engine: { max_num_seqs: 0, gpu_memory_utilization: 2 } }, SimConfigError, /engine\.max_num_seqs: .*\n.*engine\.gpu_memory_utilization/);
  await fails({ ...ok, strategy: 'shift', sp: 3 }, ParallelConfigError, /SP 3/);
  await fails({ ...ok, world: 3 }, ParallelConfigError, /64 query heads are not divisible by 3 ranks/);
  await fails({ ...ok, strategy: 'shift', policy: { name: 'threshold', threshold: -1 } }, PolicyError, /policy\.threshold/);
  await fails({ ...ok, weightDtype: 'int4' as never }, SimConfigError, /weightDtype must be 'fp8' or 'bf16'/);
});

errors('requests out of arrival order are refused; impossible requests are rejected with a reason', async () => {
  const reqs: TraceRequest[] = [{ id: 0, arrival: 1, input: 8, output: 2 }, { id: 1, arrival: 0.5, input: 8, output: 2 }];
  try {
    await simulate(ok, fromArray(reqs));
    assert.unreachable();
  } catch (e) {
    assert.instance(e, TraceOrderError);
    assert.match((e as Error).message, /request 1 arrives at 0.5 s, before the previous one \(1 s\)/);
  }
  const r = await simulate(ok, fromArray([
    { id: 0, arrival: 0, input: 131000, output: 200 },
    { id: 1, arrival: 0, input: 0, output: 5 },
    { id: 2, arrival: 0, input: 10, output: 5 },
  ]));
  assert.equal(r.rejections, { 'prompt + output exceed max_model_len (131072 tokens)': 1, 'input and output must be positive integers': 1 });
  assert.equal(r.requests, { finished: 1, rejected: 2, arrived: 3 });
});

errors('the stream is read lazily: at most one request ahead of simulated time', async () => {
  let pulled = 0;
  const arrivals: number[] = [];
  async function* lazy(): RequestStream {
    for (let id = 0; id < 3000; id++) {
      pulled++;
      arrivals.push(id * 0.01);
      yield { id, arrival: id * 0.01, input: 64, output: 8 };
    }
  }
  let worst = 0;
  await simulate({ ...ok, strategy: 'shift' }, lazy(), {
    onRequest: (row) => {
      const due = arrivals.filter((t) => t <= row.finish).length;
      worst = Math.max(worst, pulled - due);
    },
  });
  assert.ok(worst <= 1, `read ${worst} requests ahead of time`);
});

errors('prefix caching (Mooncake-style hash ids) skips the cached part of a prompt', async () => {
  const hashed = (id: number, arrival: number): TraceRequest => ({ id, arrival, input: 4096, output: 4, hashIds: [7, 8, 9, 10, 11, 12, 13, 14] });
  const reqs = [hashed(0, 0), hashed(1, 5)];
  const off = await simulate(ok, fromArray(reqs));
  const rows: { ttft: number }[] = [];
  const on = await simulate({ ...ok, engine: { enable_prefix_caching: true } }, fromArray(reqs), { onRequest: (r) => rows.push(r) });
  assert.is(off.requests.finished, 2);
  assert.ok(rows[1]!.ttft < rows[0]!.ttft / 5, `cached TTFT ${rows[1]!.ttft} vs ${rows[0]!.ttft}`);
  assert.ok(on.ttft_ms.mean < off.ttft_ms.mean);
});

errors.run();
