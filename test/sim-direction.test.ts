import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type SimResult, type SystemSpec, simulate, synthetic } from '../src/sim/index.ts';

/**
 * The paper's qualitative results on its setup (Llama-3.3-70B FP8, 8× H200, 4k in / 250 out;
 * shared/SHIFT.md "Published headline results"), as directions the cost model must reproduce:
 *   one request   TP has the lowest TPOT (below SP and DP); Shift's TTFT is SP's and its TPOT
 *                 TP's, each within 10%
 *   saturation    combined throughput DP > SP > TP, Shift about SP's
 */
const SYSTEMS = ['dp', 'tp', 'sp', 'shift'] as const;
const spec = (strategy: (typeof SYSTEMS)[number]): SystemSpec => ({
  name: strategy, strategy, world: 8, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8',
});

async function each(count: number): Promise<Record<(typeof SYSTEMS)[number], SimResult>> {
  const out = {} as Record<(typeof SYSTEMS)[number], SimResult>;
  for (const s of SYSTEMS) out[s] = await simulate(spec(s), synthetic({ count, input: 4096, output: 250 }));
  return out;
}

test('one request: TP has the lowest TPOT; Shift has SP’s TTFT and TP’s TPOT (±10%)', async () => {
  const r = await each(1);
  assert.ok(r.tp.tpot_ms.mean < r.sp.tpot_ms.mean && r.tp.tpot_ms.mean < r.dp.tpot_ms.mean, `TPOT tp ${r.tp.tpot_ms.mean} sp ${r.sp.tpot_ms.mean} dp ${r.dp.tpot_ms.mean}`);
  assert.ok(Math.abs(r.shift.ttft_ms.mean / r.sp.ttft_ms.mean - 1) < 0.1, `TTFT shift ${r.shift.ttft_ms.mean} sp ${r.sp.ttft_ms.mean}`);
  assert.ok(Math.abs(r.shift.tpot_ms.mean / r.tp.tpot_ms.mean - 1) < 0.1, `TPOT shift ${r.shift.tpot_ms.mean} tp ${r.tp.tpot_ms.mean}`);
  // SP and Shift answer first; DP (one GPU per request) is by far the slowest to the first token.
  assert.ok(r.sp.ttft_ms.mean < r.tp.ttft_ms.mean && r.tp.ttft_ms.mean < r.dp.ttft_ms.mean);
});

test('saturation (1500 requests at once): throughput DP > SP > TP, Shift about SP', async () => {
  const r = await each(1500);
  for (const s of SYSTEMS) assert.is(r[s].requests.finished, 1500, s);
  const thr = (s: (typeof SYSTEMS)[number]): number => r[s].throughput_tok_s;
  assert.ok(thr('dp') > thr('sp') && thr('sp') > thr('tp'), `dp ${thr('dp')} sp ${thr('sp')} tp ${thr('tp')}`);
  assert.ok(thr('shift') > 0.9 * thr('sp') && thr('shift') > thr('tp'), `shift ${thr('shift')} sp ${thr('sp')}`);
});

test.run();
