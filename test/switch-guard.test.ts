import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SwitchGuard } from '../src/exec/switch-guard.ts';
import { type KvLayout, layoutFromShards } from '../src/kv/layout.ts';
import { KvLayoutError } from '../src/kv/switch-check.ts';
import { compareLayouts } from '../src/kv/verify.ts';
import { getModel } from '../src/model/catalog.ts';
import type { ModeId } from '../src/parallel/mode.ts';
import type { Strategy } from '../src/strategies/types.ts';

/**
 * The executor's switch guard runs the strategy's declared KV proof at the first switch, for
 * strategies it has never heard of: each test builds a strategy object here, unregistered.
 * tiny has 8 query heads and 2 KV heads; on 2 ranks written by hand:
 *   'split':   rank 0 owns query heads 0-3 and KV head 0, rank 1 query heads 4-7 and KV head 1;
 *   'swapped': the same heads on the other rank, so every KV head would change rank at a switch;
 *   'same':    'split' under another name.
 */
const tiny = getModel('tiny');
const parallel = { world: 2, sp: 1, tp: 2 };
const low = { qHeads: [0, 1, 2, 3], kvHeads: [0], replicas: 1, replica: 0 };
const high = { qHeads: [4, 5, 6, 7], kvHeads: [1], replicas: 1, replica: 0 };
const split = layoutFromShards(tiny, 'split', [low, high], 1);
const swapped = layoutFromShards(tiny, 'swapped', [high, low], 1);
const same = layoutFromShards(tiny, 'same', [low, high], 1);

/** A strategy with modes 'a' and 'b' whose switching block declares the layouts of `declared` and proves them. */
function testStrategy(declared: readonly [KvLayout, KvLayout], calls: { n: number }): Pick<Strategy, 'name' | 'switching'> {
  return {
    name: 'test-switcher',
    switching: {
      modes: ['a', 'b'],
      roles: { latency: 'a', throughput: 'b' },
      defaultPolicy: 'alternate',
      kvProof: () => {
        calls.n += 1;
        return compareLayouts(declared[0], declared[1]);
      },
      report: { fractionOf: 'b', header: 'B iters' },
    },
  };
}

/** What the ranks reported: the same heads in both modes, so only the declared proof can refuse. */
const reported = new Map<ModeId, KvLayout>([['a', split], ['b', same]]);

test('a switching block whose declared layouts move KV is refused at the first switch, not before', () => {
  const calls = { n: 0 };
  const guard = new SwitchGuard(testStrategy([split, swapped], calls), tiny, parallel, 'full-tp', 'a', reported);
  guard.enter('a');
  assert.is(calls.n, 0, 'the first mode needs no proof');
  assert.throws(() => guard.enter('b'), (e: Error) =>
    e instanceof KvLayoutError &&
    /refusing to switch test-switcher from split to same before it runs: its switching block's KV proof says moves/.test(e.message) &&
    // Rank 0 writes KV head 0 in 'split' but holds KV head 1 in 'swapped'.
    /KV head 0/.test(e.message),
  );
  // Still refused on a retry: a refused mode is never marked entered.
  assert.throws(() => guard.enter('b'), (e: Error) => e instanceof KvLayoutError && /KV proof says moves/.test(e.message));
});

test('a switching block whose declared layouts keep KV passes; the proof runs once', () => {
  const calls = { n: 0 };
  const guard = new SwitchGuard(testStrategy([split, same], calls), tiny, parallel, 'full-tp', 'a', reported);
  for (const mode of ['a', 'b', 'a', 'b']) guard.enter(mode);
  assert.is(calls.n, 1);
});

test('the ranks\' reported layouts are checked too, and a mode they did not report is refused', () => {
  const calls = { n: 0 };
  const moved = new Map<ModeId, KvLayout>([['a', split], ['b', swapped]]);
  const guard = new SwitchGuard(testStrategy([split, same], calls), tiny, parallel, 'full-tp', 'a', moved);
  assert.throws(() => guard.enter('b'), /refusing to switch from split to swapped before it runs/);
  assert.throws(() => guard.enter('c'), /ranks reported no KV layout for it/);
});

test.run();
