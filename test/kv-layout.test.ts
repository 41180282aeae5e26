import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cacheShape, kvLayout, layoutFromShards, slotOf } from '../src/kv/index.ts';
import { getModel } from '../src/model/catalog.ts';
import { type Mode, ParallelConfigError } from '../src/parallel/mode.ts';
import { dpMode } from '../src/strategies/dp.ts';
import { shiftModes } from '../src/strategies/shift.ts';
import { spMode } from '../src/strategies/sp.ts';
import { tpMode } from '../src/strategies/tp.ts';

/** Issue 3: the head-to-rank layout and block indexing of a deployment. */
const tiny = getModel('tiny');

test('Shift on tiny, P = 4, s = t = 2: the table drawn in layout.ts', () => {
  const [base, shift] = shiftModes(tiny, { world: 4, sp: 2, tp: 2 });
  const rows = (spec: Mode): [number[], number, number[]][] =>
    kvLayout(tiny, spec).ranks.map((r) => [[...r.kvHeads], r.replica, [...r.qHeads]]);
  const expected = [
    [[0], 0, [0, 1]],
    [[1], 0, [4, 5]],
    [[0], 1, [2, 3]],
    [[1], 1, [6, 7]],
  ];
  assert.equal(rows(base), expected);
  assert.equal(rows(shift), expected);
  assert.is(kvLayout(tiny, shift).label, 'TP=4 in full-tp order [0,2,1,3]');
  assert.is(kvLayout(tiny, base).ranks[1]!.where, 'head block j·s+i = 1·2+0 = 2 after the all-to-all');
});

test('DP: one block pool per replica, whole KV heads per TP position', () => {
  const l = kvLayout(tiny, dpMode(tiny, 2, 2));
  assert.is(l.pools, 2);
  assert.equal(l.ranks.map((r) => r.pool), [0, 0, 1, 1]);
  assert.equal(l.ranks.map((r) => [...r.kvHeads]), [[0], [1], [0], [1]]);
  assert.is(kvLayout(tiny, spMode(tiny, 4, 1)).pools, 1);
});

test('slots and cache shape: slot = block · blockSize + offset, cache [slots, g_r, d]', () => {
  assert.is(slotOf([4, 9, 2], 0, 16), 64);
  assert.is(slotOf([4, 9, 2], 20, 16), 9 * 16 + 4);
  assert.is(slotOf([4, 9, 2], 36, 16), 2 * 16 + 4);
  const mha = kvLayout(getModel('tiny-mha'), tpMode(getModel('tiny-mha'), 2));
  assert.equal(cacheShape(mha.ranks[1]!, 256, 16), [256, 4, 16]);
  assert.equal([...mha.ranks[1]!.kvHeads], [4, 5, 6, 7]);
});

test('layouts from reported shards: rank r in pool ⌊r / (P / pools)⌋', () => {
  const dp = kvLayout(tiny, dpMode(tiny, 2, 2));
  const reported = layoutFromShards(tiny, 'reported', dp.ranks, 2);
  assert.equal(reported.ranks.map((r) => r.pool), [0, 0, 1, 1]);
  assert.is(reported.ranks[0]!.where, 'as its weights were sharded');
});

test('a mode that cannot exist throws ParallelConfigError naming the numbers', () => {
  assert.throws(() => spMode(tiny, 3, 1), (e: Error) => e instanceof ParallelConfigError && /8 query heads are not divisible by 3/.test(e.message));
  assert.throws(() => tpMode(tiny, 4, { sp: 4, tp: 2 }), /full-TP group of SP=4×TP=2 has 8 ranks, but TP=4 has 4/);
});

test.run();
