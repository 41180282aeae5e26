import * as tf from '@tensorflow/tfjs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createTfjsOps, initTfjsWasm } from '../src/ops/tfjs.ts';

/**
 * A rank worker re-initialised for another deployment (a borrowed RankPool) frees the weights of
 * its last rank with Ops.dispose: on tfjs, exactly the weights that Ops instance made, not the
 * weights of another instance nor activations in flight.
 */
test('tfjs dispose frees its own weights, and only those', async () => {
  await initTfjsWasm();
  const before = tf.memory().numTensors;
  const a = await createTfjsOps();
  const b = await createTfjsOps();
  const wa = [a.weight([4, 8], () => new Float32Array(32).fill(1)), a.weight([8], () => new Float32Array(8).fill(2))];
  const wb = b.weight([2, 2], () => Float32Array.from([1, 2, 3, 4]));
  assert.is(tf.memory().numTensors, before + 3);
  a.dispose?.();
  assert.is(tf.memory().numTensors, before + 1, 'a freed its two weights');
  assert.ok(wa.every((w) => w.isDisposed));
  assert.equal([...b.download(wb)], [1, 2, 3, 4], "b's weight survives a's dispose");
  b.dispose?.();
  assert.is(tf.memory().numTensors, before);
});

test.run();
