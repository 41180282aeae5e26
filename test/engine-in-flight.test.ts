import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { IterationShape } from '../src/cost/iteration.ts';
import type { BatchRecord } from '../src/engine/batch-record.ts';
import { generate } from '../src/exec/generate.ts';
import { createReferenceExecutor } from '../src/exec/reference-executor.ts';
import type { Executor } from '../src/exec/types.ts';
import { Engine, type IterationPricer } from '../src/sim/engine.ts';
import { EventQueue, EventType } from '../src/sim/events.ts';
import { MetricsCollector } from '../src/sim/metrics/collector.ts';
import { SimRequest } from '../src/sim/request.ts';
import { resolveEngineSettings } from '../src/sim/settings.ts';
import { simulate, synthetic } from '../src/sim/index.ts';
import type { IterationRow, RequestRow } from '../src/sim/types.ts';
import { getModel } from '../src/model/catalog.ts';
import { batchesInFlightOf } from '../src/strategies/deployment.ts';
import { tp, tpMode } from '../src/strategies/tp.ts';
import type { Strategy } from '../src/strategies/types.ts';

/**
 * Batches in flight: an engine that is a pipeline of k stages. A fake cost model prices an
 * iteration of n tokens at 2·n ms, i.e. n ms per stage with k = 2, so the timeline can be worked
 * out by hand.
 */
const pricer = (perToken: number): IterationPricer => ({
  modes: [tpMode(getModel('tiny'), 1)],
  time: (_: number, shape: IterationShape) => shape.tokens * perToken,
});

interface Run {
  rows: IterationRow[];
  tokens: [number, number][];
  batches: string[];
  busy: number;
}

function run(stages: number, budget: number, reqs: readonly [input: number, output: number][], perToken: number): Run {
  const events = new EventQueue();
  const out: Run = { rows: [], tokens: [], batches: [], busy: 0 };
  const options = {
    onIteration: (r: IterationRow) => out.rows.push(r),
    onToken: (id: number, t: number) => out.tokens.push([id, Math.round(t * 1e6) / 1e3]),
    onBatch: (_: number, b: { ids: readonly number[]; counts: readonly number[] }) => out.batches.push(b.ids.map((id, k) => `${'AB'[id]}:${b.counts[k]}`).join(' ')),
  };
  const metrics = new MetricsCollector(options, 0);
  const settings = resolveEngineSettings({ max_num_batched_tokens: budget, num_gpu_blocks_override: 64 });
  const engine = new Engine(0, { cost: pricer(perToken), policy: null, settings, blocks: 64, metrics, options, events, stages });
  reqs.forEach(([input, output], id) => engine.admit(new SimRequest(id, 0, input, output, 0), 0));
  for (let ev = events.pop(); ev; ev = events.pop()) {
    if (ev.type === EventType.StepEnd) engine.finish(ev.time);
    else engine.wake(ev.time);
  }
  out.busy = Math.round(metrics.busy * 1e6) / 1e3;
  return out;
}

const ms = (rows: IterationRow[]): [number, number][] => rows.map((r) => [Math.round(r.start * 1e6) / 1e3, Math.round(r.end * 1e6) / 1e3]);

test('k = 2: hand-computed pipeline timeline', () => {
  // A and B: 4-token prompts, 2 output tokens each; budget 4 tokens; stage time = tokens ms.
  //  t=0   start #0 [A:4]   stage 1 0→4,  stage 2 4→8     ends 8;  stage 1 free at 4
  //  t=4   start #1 [B:4]   (A is in flight) stage 1 4→8, stage 2 max(8, 8)→12   ends 12; 2 in flight
  //  t=8   #0 ends: A's 1st token. start #2 [A:1]: stage 1 8→9, stage 2 max(9, 12)→13 (bubble) ends 13
  //  t=9   stage 1 free, but A and B are both in flight: nothing to schedule
  //  t=12  #1 ends: B's 1st token. start #3 [B:1]: stage 1 12→13, stage 2 max(13, 13)→14   ends 14
  //  t=13  #2 ends: A's 2nd (last) token;  t=14  #3 ends: B's last token.
  // Busy time is the union of the in-flight intervals: 0→14 = 14 ms (not 8+8+5+2).
  const r = run(2, 4, [[4, 2], [4, 2]], 2e-3);
  assert.equal(r.batches, ['A:4', 'B:4', 'A:1', 'B:1']);
  assert.equal(ms(r.rows), [[0, 8], [4, 12], [8, 13], [12, 14]]);
  assert.equal(r.tokens, [[0, 8], [1, 12], [0, 13], [1, 14]]);
  assert.is(r.busy, 14);
});

test('k = 1 is one iteration at a time: start, run the whole iteration, finish, start the next', () => {
  // Budget 5, 2 ms per token, all of it in one stage:
  //  #0 [A:4 B:1] (B's prompt chunked) 0→10: A's 1st token
  //  #1 [A:1 B:3] 10→18: A's 2nd (last) token, B's 1st;   #2 [B:1] 18→20: B's last token.
  const r = run(1, 5, [[4, 2], [4, 2]], 2e-3);
  assert.equal(r.batches, ['A:4 B:1', 'A:1 B:3', 'B:1']);
  assert.equal(ms(r.rows), [[0, 10], [10, 18], [18, 20]]);
  assert.equal(r.tokens, [[0, 10], [0, 18], [1, 18], [1, 20]]);
  assert.is(r.busy, 20);
});

test('executor with k = 2 (batches run one after another): the batches of the simulator, the tokens of k = 1', async () => {
  const ref = (): Executor => createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: 64, blockSize: 16 });
  const workload = { promptLens: [4, 4], maxNewTokens: 2, seed: 1, vocab: 512, maxBatchedTokens: 4, blockSize: 16, kvBlocks: 64 };
  const piped = await generate({ ...ref(), batchesInFlight: 2 }, workload);
  const label = (b: BatchRecord): string => b.ids.map((id, k) => `${'AB'[id]}:${b.counts[k]}`).join(' ');
  assert.equal(piped.batches.map(label), run(2, 4, [[4, 2], [4, 2]], 2e-3).batches);
  const serial = await generate(ref(), workload);
  // One batch at a time, budget 4: A's prompt; A's decode + 3 of B's prompt; B's last prompt token; B's decode.
  assert.equal(serial.batches.map(label), ['A:4', 'A:1 B:3', 'B:1', 'B:1']);
  assert.equal(piped.tokens, serial.tokens);
});

test('a pipeline cost shape of 4 stages: the engine keeps 4 batches in flight and makes the GPipe bubble', () => {
  // A strategy declaring 4 one-rank stages: its engine keeps one batch per stage in flight.
  const model = getModel('tiny');
  const parallel = { world: 4, sp: 1, tp: 4 };
  const fourStages: Strategy = { ...tp, costShape: () => ({ kind: 'pipeline', stages: [[0], [1], [2], [3]] }) };
  const k = batchesInFlightOf(fourStages, parallel, tp.modes(model, parallel));
  assert.is(k, 4);
  assert.is(batchesInFlightOf(tp, parallel, tp.modes(model, parallel)), 1);
  // 8 one-token requests, budget 1 token: 8 batches, each priced dt = 4 ms (one batch through all
  // stages), 1 ms per stage. GPipe (arXiv 1811.06965): m = 8 micro-batches over S = 4 stages end
  // after (S + m − 1) = 11 stage times; batch i ends at 4 + i ms. One at a time it would be 32 ms.
  const r = run(k, 1, Array.from({ length: 8 }, () => [1, 1] as [number, number]), 4e-3);
  assert.equal(ms(r.rows).map(([, end]) => end), [4, 5, 6, 7, 8, 9, 10, 11]);
  assert.is(r.busy, 11);
});

test('every preemption is counted, also one that leaves a pipelined schedule empty: the result equals the sum over request rows', async () => {
  // PP 4×TP 2 on 200 KV blocks with 300 requests at once: blocks run out while batches are in
  // flight, so some schedules preempt their own grower and run nothing.
  const rows: RequestRow[] = [];
  const spec = { name: 'pp', strategy: 'pp', world: 8, tp: 2, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8' as const, engine: { max_num_batched_tokens: 2048, num_gpu_blocks_override: 200 } };
  const result = await simulate(spec, synthetic({ count: 300, input: 500, output: 300, gap: 0 }), { onRequest: (r) => rows.push(r) });
  assert.is(result.requests.finished, 300);
  const byRequest = rows.reduce((a, r) => a + r.preemptions, 0);
  assert.ok(byRequest > 0, 'the pool is small enough to preempt');
  assert.is(result.preemptions, byRequest);
});

test('a bad number of batches in flight is refused', () => {
  assert.throws(() => run(0, 4, [[4, 2]], 1e-3), /batches in flight must be a positive integer, got 0/);
});

test.run();
