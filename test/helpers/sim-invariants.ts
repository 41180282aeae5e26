import * as assert from 'uvu/assert';
import { type IterationRow, type RequestRow, type SimResult, type SystemSpec, fromArray, simulate } from '../../src/sim/index.ts';
import type { TraceRequest } from '../../src/traces/types.ts';

/**
 * Conservation invariants of one simulator run, whatever the strategy: every request arrives
 * and then finishes once or is rejected once (exactly those that can never fit the KV cache are
 * rejected); each finished request gets its output tokens, in time order, after it arrived; the
 * tokens out are the sum of the outputs; KV use stays within the pool (and every block is back
 * at the end: simulate() itself throws otherwise); iterations take positive time, do not
 * overlap more than the strategy's batches in flight allow, and time never goes backwards.
 * Returns what a caller may check further (modes, decisions) and counts of the hard paths.
 */
export interface SimRun {
  readonly result: SimResult;
  readonly rows: readonly RequestRow[];
  readonly iterations: readonly IterationRow[];
  readonly decisions: readonly string[];
}

export async function assertSimConserves(spec: SystemSpec, requests: readonly TraceRequest[], where: string, batchesInFlight = 1): Promise<SimRun> {
  const engine = spec.engine ?? {};
  const blocks = engine.num_gpu_blocks_override;
  const blockSize = engine.block_size;
  if (blocks === undefined || blockSize === undefined) throw new Error(`${where}: give engine.num_gpu_blocks_override and engine.block_size`);
  const rows: RequestRow[] = [];
  const iterations: IterationRow[] = [];
  const tokens = new Map<number, number[]>();
  const decisions: string[] = [];
  const result = await simulate(spec, fromArray([...requests]), {
    onRequest: (r) => rows.push(r),
    onIteration: (r) => iterations.push(r),
    onToken: (id, time) => tokens.set(id, [...(tokens.get(id) ?? []), time]),
    onDecision: (replica, iteration, mode) => decisions.push(`${replica}:${iteration}:${mode}`),
  });

  // Every request finished once or was rejected, and exactly those that can never fit were.
  const tooBig = requests.filter((r) => Math.ceil((r.input + r.output - 1) / blockSize) > blocks);
  assert.is(result.requests.arrived, requests.length, `${where}: arrived`);
  assert.is(result.requests.rejected, tooBig.length, `${where}: rejected`);
  assert.is(Object.values(result.rejections).reduce((a, b) => a + b, 0), tooBig.length, `${where}: reasons`);
  if (tooBig.length > 0) assert.ok(Object.keys(result.rejections).every((k) => /exceed the KV cache/.test(k)), where);
  assert.is(result.requests.finished + result.requests.rejected, requests.length, where);
  assert.equal(rows.map((r) => r.id).sort((a, b) => a - b), requests.filter((r) => !tooBig.includes(r)).map((r) => r.id), `${where}: finished ids, each once`);

  // Each finished request got exactly its output tokens, in time order, after it arrived.
  const byId = new Map(requests.map((r) => [r.id, r]));
  for (const row of rows) {
    const req = byId.get(row.id)!;
    const times = tokens.get(row.id) ?? [];
    assert.is(times.length, req.output, `${where}: request ${row.id} tokens`);
    assert.ok(times.every((x, k) => k === 0 || x >= times[k - 1]!), `${where}: request ${row.id} token times`);
    assert.ok(times[0]! === row.first_token && times.at(-1)! === row.finish && row.first_token > req.arrival, `${where}: request ${row.id} times`);
  }
  assert.is(result.tokens.output, rows.reduce((a, r) => a + r.output, 0), `${where}: tokens out`);
  assert.is(result.tokens.output, requests.filter((r) => !tooBig.includes(r)).reduce((a, r) => a + r.output, 0), `${where}: tokens out vs the trace`);

  // KV within capacity; iterations take positive time; per engine at most `batchesInFlight`
  // overlap and they complete in start order; completions in time order.
  let lastEnd = -Infinity;
  const open = new Map<number, number[]>();
  for (const it of iterations) {
    assert.ok(it.kv_blocks_used <= it.kv_blocks && it.kv_blocks === blocks, `${where}: KV ${it.kv_blocks_used}/${it.kv_blocks}`);
    assert.ok(it.end > it.start, `${where}: iteration time ${it.end - it.start}`);
    const ends = (open.get(it.replica) ?? []).filter((end) => end > it.start);
    assert.ok(ends.length < batchesInFlight, `${where}: engine ${it.replica} has ${ends.length + 1} iterations in flight at ${it.start}`);
    assert.ok(it.end >= lastEnd, `${where}: time went backwards`);
    assert.ok(it.tokens <= engine.max_num_batched_tokens! && it.seqs <= engine.max_num_seqs!, `${where}: limits`);
    open.set(it.replica, [...ends, it.end]);
    lastEnd = it.end;
  }
  assert.ok(result.kv.max_blocks_used <= blocks, where);
  assert.is(result.iterations.count, iterations.length, `${where}: iterations`);
  return { result, rows, iterations, decisions };
}
