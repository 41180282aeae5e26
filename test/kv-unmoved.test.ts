import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type KvSwitchSnapshots, KvMovedError, assertKvUnmoved, kvLayout } from '../src/kv/index.ts';
import type { SeqWork } from '../src/model/batch.ts';
import { dpMode } from '../src/strategies/dp.ts';
import { spMode } from '../src/strategies/sp.ts';
import { getModel } from '../src/model/catalog.ts';
import { Rng } from '../src/util/rng.ts';

/**
 * Issue 3: the debug check across a switch, on synthetic snapshots of P = 4 ranks of tiny
 * (2 layers, 1 KV head per rank, d = 16), 4 blocks of 4 slots. Snapshot word of
 * (tensor, slot, head, dim) = ((tensor · S + slot) · g + head) · d + dim.
 */
const tiny = getModel('tiny');
const geometry = { layers: 2, blocks: 4, blockSize: 4, headDim: 16 };
const S = geometry.blocks * geometry.blockSize;
const words = 2 * geometry.layers * S * 16;

function snapshots(seed: string): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: 4 }, () => Float32Array.from({ length: words }, () => rng.normal()));
}

function seq(id: number, start: number, n: number, blockTable: number[], replica = 0): SeqWork {
  return { id, replica, tokens: Array(n).fill(7), start, blockTable, sample: true, decode: start > 0 };
}

function check(seqs: SeqWork[], edit: (after: Float32Array[]) => void, layout = kvLayout(tiny, spMode(tiny, 2, 2))): void {
  const before = snapshots('kv');
  const after = before.map((x) => x.slice());
  edit(after);
  const o: KvSwitchSnapshots = { layout, geometry, seqs, from: 'SP=2×TP=2', to: 'TP=4', before, after };
  assertKvUnmoved(o);
}

/** Word of tensor (0..2L-1: K layers then V layers), slot, dim on a rank with one KV head. */
const word = (tensor: number, slot: number, dim = 0): number => (tensor * S + slot) * 16 + dim;

test('unchanged caches pass; new slots of this iteration may change', () => {
  check([seq(0, 5, 1, [2, 3])], () => {});
  // Sequence 0 writes position 5 → block 3 offset 1 = slot 13, on every rank, K and V, all layers.
  check([seq(0, 5, 1, [2, 3])], (after) => after.forEach((a) => [0, 1, 2, 3].forEach((t) => a.fill(9, word(t, 13), word(t, 14)))));
});

test('one flipped bit in an old slot is caught, naming rank, tensor, layer, block, slot and head', () => {
  const flip = (after: Float32Array[]): void => {
    const bits = new Uint32Array(after[2]!.buffer);
    bits[word(3, 6, 5)]! ^= 1; // rank 2, V of layer 1, slot 6 = block 1 offset 2, dim 5
  };
  assert.throws(
    () => check([seq(0, 5, 1, [2, 3])], flip),
    (e: Error) =>
      e instanceof KvMovedError &&
      e.message.includes('KV moved across the switch from SP=2×TP=2 to TP=4: rank 2, V cache of layer 1, block 1 offset 2 (slot 6), KV head 0 changed') &&
      e.message.includes('no token of this iteration is written there'),
  );
});

test('a new token written over context the batch reads (a block given twice) is caught', () => {
  // Sequence 0 holds positions 0..5 in blocks [2, 3]; sequence 1 is wrongly given block 3 too.
  const seqs = [seq(0, 6, 1, [2, 3]), seq(1, 0, 2, [3])];
  assert.throws(
    () => check(seqs, (after) => after[0]!.fill(1, word(0, 12), word(0, 14))),
    /rank 0, K cache of layer 0, block 3 offset 0 \(slot 12\), KV head 0 .*it holds position 4 of sequence 0, context this iteration reads, yet position 0 of sequence 1 was written there/,
  );
});

test('DP: a replica may change only the slots of its own sequences', () => {
  const dp = kvLayout(tiny, dpMode(tiny, 2, 2));
  // Sequence 0 is on replica 1 (ranks 2, 3): rank 0 must not change slot 13 of its own pool.
  check([seq(0, 5, 1, [2, 3], 1)], (after) => after[2]!.fill(9, word(0, 13), word(0, 14)), dp);
  assert.throws(() => check([seq(0, 5, 1, [2, 3], 1)], (after) => after[0]!.fill(9, word(0, 13), word(0, 14)), dp), /rank 0, K cache of layer 0, block 3 offset 1/);
});

test('snapshots of the wrong size or rank count are refused with the expected shape', () => {
  assert.throws(() => check([], (after) => after.pop()), /expected KV snapshots of 4 ranks, got 4 before and 3 after/);
  assert.throws(
    () => check([], (after) => (after[1] = after[1]!.subarray(1))),
    /rank 1: KV snapshots have 1024 and 1023 floats, expected 1024 \(2 × 2 layers × 16 slots × 1 KV heads × 16\)/,
  );
});

test.run();
