import * as assert from 'uvu/assert';
import { commInput, runCollectives } from './helpers/cuda-comm.ts';
import { gpuSuite } from './helpers/gpu.ts';

/**
 * CudaComm on worker threads sharing the GPU: all four collectives over a group of 3 ranks in
 * the order [2, 0, 1] (so group index ≠ rank), against the row-block conventions of
 * src/comm/types.ts computed on the host. Inputs are small integers, so float32 and bf16
 * results must be exact.
 */
const comm = gpuSuite('cuda collectives');
const ROWS = 6;
const COLS = 5;
const RANKS = [2, 0, 1];

function rowBlock(x: Float32Array, block: number, n: number): Float32Array {
  const len = x.length / n;
  return x.subarray(block * len, (block + 1) * len);
}

for (const dtype of ['float32', 'bf16'] as const) {
  comm(`allReduce, allGather, allToAll, reduceScatter over [2, 0, 1] (${dtype})`, async () => {
    const results = await runCollectives(3, RANKS, ROWS, COLS, dtype);
    const inputs = RANKS.map((r) => commInput(r, ROWS, COLS)); // in group order
    const n = RANKS.length;
    const sum = inputs[0]!.map((_, e) => inputs.reduce((a, x) => a + x[e]!, 0));
    RANKS.forEach((rank, index) => {
      const got = results[rank]!;
      assert.equal([...got.allReduce], [...sum], `rank ${rank}: allReduce`);
      assert.equal([...got.allGather], inputs.flatMap((x) => [...x]), `rank ${rank}: allGather`);
      assert.equal([...got.allToAll], inputs.flatMap((x) => [...rowBlock(x, index, n)]), `rank ${rank}: allToAll`);
      assert.equal([...got.reduceScatter], [...rowBlock(sum, index, n)], `rank ${rank}: reduceScatter`);
    });
  });
}

comm.run();
