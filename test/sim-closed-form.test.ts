import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { IterationShape } from '../src/cost/iteration.ts';
import { type SystemSpec, createDeployment, simulate, synthetic } from '../src/sim/index.ts';

/**
 * The simulator against closed forms built from the cost model's own iteration times: one
 * request alone (TTFT = its prefill iterations, TPOT = the mean of its decode iterations), and a
 * decode-only load that keeps the batch full (duration = prefill + decode iterations of the full
 * batch, so throughput meets the analytic bound). The profile's front-end time per request
 * (engine.frontend_s, outside the GPU timeline) adds to TTFT, E2E and the last completion.
 */
const base = { world: 8, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8' } as const;
const close = (a: number, b: number, rel = 1e-9): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));

const prefill = (q: number, ctx: number, sample: boolean): IterationShape => ({ tokens: q, sampled: sample ? 1 : 0, seqs: 1, decodes: 0, decodeContext: 0, chunks: [{ q, ctx }] });
const decode = (B: number, ctxSum: number): IterationShape => ({ tokens: B, sampled: B, seqs: B, decodes: B, decodeContext: ctxSum, chunks: [] });

for (const strategy of ['tp', 'sp', 'dp', 'shift'] as const) {
  test(`${strategy}: one request alone — TTFT = its prefill chunks, TPOT = its mean decode iteration`, async () => {
    const budget = 2048;
    const [input, output] = [2 * budget + 1, 40]; // chunks of 2048, 2048 and 1 token
    const spec: SystemSpec = { ...base, name: strategy, strategy, engine: { max_num_batched_tokens: budget } };
    const { cost } = await createDeployment(spec);
    // Shift's default policy: full TP at ≤ 512 scheduled tokens.
    const mode = (tokens: number): number => (strategy === 'shift' ? cost.modeIndex(tokens <= 512 ? 'tp' : 'sp') : 0);
    const time = (s: IterationShape): number => cost.time(mode(s.tokens), s);
    const frontend = cost.profile.engine.frontend_s ?? 0;
    const ttft = frontend + time(prefill(budget, budget, false)) + time(prefill(budget, 2 * budget, false)) + time(prefill(1, input, true));
    let decodes = 0;
    for (let k = 1; k < output; k++) decodes += time(decode(1, input + k));
    const r = await simulate(spec, synthetic({ count: 1, input, output }));
    assert.is(r.requests.finished, 1);
    assert.ok(close(r.ttft_ms.mean, ttft * 1e3), `TTFT ${r.ttft_ms.mean} vs ${ttft * 1e3}`);
    assert.ok(close(r.tpot_ms.mean, (decodes / (output - 1)) * 1e3), `TPOT ${r.tpot_ms.mean}`);
    assert.ok(close(r.e2e_ms.mean, (ttft + decodes) * 1e3));
    assert.is(r.iterations.count, 3 + output - 1);
  });
}

test('a full decode-only batch runs back to back: duration and throughput meet the analytic bound', async () => {
  const seqs = 256;
  const [input, output] = [16, 300];
  const spec: SystemSpec = { ...base, name: 'tp', strategy: 'tp', engine: { max_num_seqs: seqs } };
  const { cost } = await createDeployment(spec);
  const all = (k: number): number => seqs * (input + k); // Σ context in the k-th decode step
  const wave = cost.time(0, { tokens: seqs * input, sampled: seqs, seqs, decodes: 0, decodeContext: 0, chunks: Array.from({ length: seqs }, () => ({ q: input, ctx: input })) });
  let decodes = 0;
  for (let k = 1; k < output; k++) decodes += cost.time(0, decode(seqs, all(k)));
  // Two waves: the second is admitted the moment the first finishes (KV is ample for TP).
  const r = await simulate(spec, synthetic({ count: 2 * seqs, input, output }));
  const bound = 2 * (wave + decodes) + (cost.profile.engine.frontend_s ?? 0);
  assert.ok(close(r.duration_s, bound), `duration ${r.duration_s} vs ${bound}`);
  assert.ok(close(r.throughput_tok_s, (2 * seqs * (input + output)) / bound));
  // TPOT of every request is the mean decode iteration of the full batch.
  assert.ok(close(r.tpot_ms.p50, (decodes / (output - 1)) * 1e3, 1e-6));
});

test.run();
