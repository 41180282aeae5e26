import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MetaComm } from '../src/comm/meta.ts';
import { MetaOps } from '../src/ops/meta.ts';
import { Trace } from '../src/ops/trace.ts';
import { commInput } from './helpers/comm-run.ts';
import { type P2pStep, runP2p } from './helpers/p2p-run.ts';

/**
 * Point-to-point send/recv on LocalComm (worker threads over shared memory): what arrives is
 * what the peer sent (computed here from the sender's tag), in the order sent; the bytes each
 * rank's communicator records equal the meta backend's records of the same calls (4-byte
 * activations, as the float32 executor); bad peers are errors that name them.
 */
const p2p = suite('point-to-point');

const send = (peer: number, tag: number, rows = 3, cols = 4, group?: P2pStep['group']): P2pStep => ({ dir: 'send', peer, rows, cols, tag, ...(group ? { group } : {}) });
const recv = (peer: number, tag: number, rows = 3, cols = 4, group?: P2pStep['group']): P2pStep => ({ dir: 'recv', peer, rows, cols, tag, ...(group ? { group } : {}) });

/** The records MetaComm makes for the same steps (meta calls never block, so one rank at a time). */
function metaRecords(world: number, rank: number, steps: readonly P2pStep[]): unknown[] {
  const trace = new Trace();
  const ops = new MetaOps(trace, { weightBytes: 4, actBytes: 4, kvBytes: 4 });
  const comm = new MetaComm(rank, world, trace, ops);
  for (const s of steps) {
    if (s.dir === 'send') comm.send(ops.upload(new Float32Array(0), [s.rows, s.cols]), s.peer, s.group);
    else comm.recv([s.rows, s.cols], s.peer, s.group);
  }
  return trace.comm();
}

async function assertDelivered(world: number, steps: readonly (readonly P2pStep[])[]): Promise<void> {
  const replies = await runP2p(world, steps);
  replies.forEach((reply, rank) => {
    assert.is(reply.error, undefined, `rank ${rank}: ${reply.error?.message}`);
    const expected = steps[rank]!.filter((s) => s.dir === 'recv').map((s) => [...commInput(s.tag, s.rows, s.cols)]);
    assert.equal(reply.received.map((x) => [...x]), expected, `rank ${rank}: received`);
    assert.equal(reply.records, metaRecords(world, rank, steps[rank]!), `rank ${rank}: records equal the meta trace's`);
  });
}

for (const P of [2, 4]) {
  p2p(`a ${P}-rank ring: every rank sends to its right before it receives from its left`, async () => {
    await assertDelivered(P, Array.from({ length: P }, (_, r) => [send((r + 1) % P, 10 + r, 2, 5), recv((r + P - 1) % P, 10 + ((r + P - 1) % P), 2, 5)]));
  });
}

p2p('several sends to one peer arrive in order, with their own shapes', async () => {
  await assertDelivered(2, [
    [send(1, 1, 1, 8), send(1, 2, 4, 2), send(1, 3, 2, 3)],
    [recv(0, 1, 1, 8), recv(0, 2, 4, 2), recv(0, 3, 2, 3)],
  ]);
});

p2p('sends to two peers are matched by receiver, whichever receives first', async () => {
  // Rank 2 asks first; rank 0's first message is for rank 1, so rank 2 waits until rank 1 took it.
  await assertDelivered(3, [
    [send(1, 5), send(2, 6), send(1, 7)],
    [recv(0, 5), recv(0, 7)],
    [recv(0, 6)],
  ]);
});

p2p('within a named group: the record carries the group name', async () => {
  const group = { name: 'sp' as const, ranks: [3, 1] };
  const replies = await runP2p(4, [[], [send(3, 4, 3, 4, group)], [], [recv(1, 4, 3, 4, group)]]);
  assert.equal([...replies[3]!.received[0]!], [...commInput(4, 3, 4)]);
  // 3 × 4 float32 = 48 bytes
  assert.equal(replies[1]!.records, [{ op: 'p2p', dir: 'send', group: 'sp', peer: 3, bytes: 48 }]);
});

p2p('bad peers and a wrong shape are errors that name them', async () => {
  const replies = await runP2p(3, [[send(7, 1)], [send(1, 1)], [recv(0, 1, 3, 4, { name: 'tp', ranks: [0, 1] })]]);
  assert.match(replies[0]!.error?.message ?? '', 'send from rank 0 to rank 7: no such rank in a world of 3');
  assert.match(replies[1]!.error?.message ?? '', 'a rank cannot send to itself');
  assert.match(replies[2]!.error?.message ?? '', 'rank 2 is not a member of group tp [0,1]');
  const shape = await runP2p(2, [[send(1, 1, 3, 4)], [recv(0, 1, 4, 4)]]);
  assert.is(shape[1]!.error?.name, 'CommError');
  assert.match(shape[1]!.error!.message, 'expected [4, 4] (16 elements), rank 0 sent 12');
  const big = await runP2p(2, [[send(1, 1, 64, 64)], []], 1024);
  assert.match(big[0]!.error?.message ?? '', '4096 floats exceed');
});

p2p('a rank that fails aborts a peer waiting to receive from it', async () => {
  const replies = await runP2p(2, [[send(5, 1)], [recv(0, 1)]]);
  assert.match(replies[0]!.error?.message ?? '', 'no such rank');
  assert.match(replies[1]!.error?.message ?? '', 'waiting for a message from rank 0 was aborted');
});

p2p.run();
