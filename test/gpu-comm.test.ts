import { assertCollectives, runCollectives } from './helpers/comm-run.ts';
import { gpuSuite } from './helpers/gpu.ts';

/**
 * CudaComm on worker threads sharing the GPU: all four collectives over a group of 3 ranks in
 * the order [2, 0, 1] (so group index ≠ rank), against the row-block conventions of
 * src/comm/types.ts computed on the host. Inputs are small integers, so float32 and bf16
 * results must be exact.
 */
const comm = gpuSuite('cuda collectives');
const RANKS = [2, 0, 1];

for (const dtype of ['float32', 'bf16'] as const) {
  comm(`allReduce, allGather, allToAll, reduceScatter over [2, 0, 1] (${dtype})`, async () => {
    assertCollectives(await runCollectives(3, RANKS, 6, 5, dtype), RANKS, 6, 5);
  });
}

comm.run();
