import { assertCollectives, runCollectives } from './helpers/comm-run.ts';
import * as assert from 'uvu/assert';
import { commInput } from './helpers/comm-run.ts';
import { gpuSuite } from './helpers/gpu.ts';
import { runP2p } from './helpers/p2p-run.ts';

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

for (const dtype of ['float32', 'bf16'] as const) {
  comm(`send/recv: a 3-rank ring, then two ordered messages, device to device (${dtype})`, async () => {
    const msg = (dir: 'send' | 'recv', peer: number, tag: number, rows = 4) => ({ dir, peer, rows, cols: 6, tag });
    const replies = await runP2p(3, [
      [msg('send', 1, 10), msg('recv', 2, 12), msg('send', 1, 20, 2)],
      [msg('send', 2, 11), msg('recv', 0, 10), msg('recv', 0, 20, 2)],
      [msg('send', 0, 12), msg('recv', 1, 11)],
    ], 1024, dtype);
    const want = [[[12]], [[10], [20, 2]], [[11]]] as const;
    replies.forEach((r, rank) => {
      assert.is(r.error, undefined, `rank ${rank}: ${r.error?.message}`);
      assert.equal(r.received.map((x) => [...x]), want[rank]!.map(([tag, rows]) => [...commInput(tag, rows ?? 4, 6)]), `rank ${rank}`);
      const bytes = dtype === 'float32' ? 4 : 2;
      const sent = r.records.filter((x) => x.op === 'p2p' && x.dir === 'send').map((x) => x.bytes);
      assert.ok(sent.every((b) => b % (6 * bytes) === 0), `rank ${rank}: send bytes in ${dtype} elements`);
    });
  });
}

comm.run();
