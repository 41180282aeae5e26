import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getModel } from '../src/model/catalog.ts';
import type { Batch } from '../src/model/batch.ts';
import type { StrategyName } from '../src/strategies/types.ts';
import { assertCommBytesMatchMeta } from './helpers/comm-bytes.ts';

/**
 * For every rank (not rank 0 standing for the others), the bytes the local communicator really
 * moved equal the meta trace of that rank, for today's strategies. The batches put sequences on
 * both DP replicas, unevenly, so DP's ranks do different work.
 */
const model = getModel('tiny');
const tokens = (n: number, seed: number): number[] => Array.from({ length: n }, (_, k) => (seed * 31 + k * 7) % model.vocab);

const BATCHES: Batch[] = [
  {
    seqs: [
      { id: 0, replica: 0, tokens: tokens(5, 1), start: 0, blockTable: [0], sample: true, decode: false },
      { id: 1, replica: 1, tokens: tokens(17, 2), start: 0, blockTable: [1, 2], sample: false, decode: false },
      { id: 2, replica: 1, tokens: tokens(1, 3), start: 20, blockTable: [3, 4], sample: true, decode: true },
    ],
  },
  { seqs: [{ id: 3, replica: 1, tokens: tokens(9, 4), start: 0, blockTable: [5], sample: true, decode: false }] },
];

const cases: [StrategyName, number, number?, number?][] = [['tp', 4], ['sp', 4, 2, 2], ['dp', 4, 1, 2], ['shift', 4, 2, 2]];
for (const [strategy, world, sp, tp] of cases) {
  test(`${strategy} P=${world}: every rank's real collective bytes equal its meta trace`, async () => {
    const compared = await assertCommBytesMatchMeta({ model: 'tiny', strategy, world, batches: BATCHES, ...(sp !== undefined ? { sp } : {}), ...(tp !== undefined ? { tp } : {}) });
    assert.ok(compared > 0, 'no collectives were compared');
  });
}

test.run();
