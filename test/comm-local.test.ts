import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertCollectives, runCollectiveRanks, runCollectives } from './helpers/comm-run.ts';

/**
 * LocalComm on worker threads over shared memory: the four collectives against the row-block
 * conventions computed on the host, over groups whose order differs from rank order, and the
 * abort path that keeps a failed rank from hanging its peers.
 */
const local = suite('local collectives');

local('allReduce, allGather, allToAll, reduceScatter over [2, 0, 1] of 3 ranks', async () => {
  assertCollectives(await runCollectives(3, [2, 0, 1], 6, 5, 'local'), [2, 0, 1], 6, 5);
});

local('a group of 2 of 4 ranks in the full-TP order [1, 3]; the others are not members', async () => {
  const replies = await runCollectiveRanks(4, [1, 3], 4, 3, 'local');
  for (const r of [0, 2]) assert.match(replies[r]!.error?.message ?? '', `rank ${r} is not a member of group world [1,3]`);
  assertCollectives(replies.map((r) => r.results!), [1, 3], 4, 3);
});

local('a rank that fails aborts its peers instead of leaving them waiting', async () => {
  const replies = await runCollectiveRanks(3, [0, 1, 2], 3, 2, 'local', 1);
  assert.match(replies[1]!.error?.message ?? '', 'failed on purpose');
  for (const r of [0, 2]) {
    assert.is(replies[r]!.error?.name, 'CommError');
    assert.match(replies[r]!.error!.message, 'aborted because another rank failed');
  }
});

local.run();
