import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { getModel } from '../src/model/catalog.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { ParallelConfigError, factorizations } from '../src/parallel/mode.ts';
import { getStrategy, resolveParallel } from '../src/strategies/registry.ts';
import { spMode } from '../src/strategies/sp.ts';
import { tpMode } from '../src/strategies/tp.ts';

/** Issue 2, item 5: bad parallel configs fail before any work, naming the numbers. */
const bad = suite('bad parallel configs');
const tiny = getModel('tiny');

async function rejects(o: Parameters<typeof createWorkerExecutor>[0], ...fragments: string[]): Promise<void> {
  try {
    const exec = await createWorkerExecutor(o);
    await exec.close();
  } catch (e) {
    assert.instance(e, ParallelConfigError);
    for (const f of fragments) assert.match((e as Error).message, f);
    return;
  }
  assert.unreachable(`${JSON.stringify(o)} was accepted`);
}

const base = { model: 'tiny', seed: 1, kvBlocks: 8, blockSize: 16 } as const;

bad('s·t != P names s, t and P', () => rejects({ ...base, strategy: 'sp', world: 8, sp: 2, tp: 2 }, 'SP 2 × TP 2 = 4', 'world size 8'));
bad('a shift deployment with s·t != P', () => rejects({ ...base, strategy: 'shift', world: 4, sp: 4, tp: 4 }, '16', '4'));
bad('query heads not divisible by the ranks', () => rejects({ ...base, strategy: 'tp', world: 3 }, '8 query heads', '3 ranks'));
bad('tp with an SP degree', () => rejects({ ...base, strategy: 'tp', world: 4, sp: 2 }, 'TP = world = 4'));
bad('DP replicas that do not divide the world', () => rejects({ ...base, strategy: 'dp', world: 4, tp: 3 }, 'TP 3', 'world size 4'));

bad('KV heads that can be neither split nor replicated', () => {
  const odd: ModelConfig = { ...tiny, name: 'odd', heads: 12, kvHeads: 6, hidden: 192 };
  assert.throws(() => tpMode(odd, 4), (e: Error) => e instanceof ParallelConfigError && /6 KV heads/.test(e.message) && /4 ranks/.test(e.message));
  // The SP attention layout spans s·t ranks even when the TP group alone would be fine.
  assert.throws(() => spMode(odd, 4, 1), /s·t = 4/);
});

bad('an MLP not divisible by the TP degree', () => {
  const odd: ModelConfig = { ...tiny, name: 'odd-mlp', mlp: 250 };
  assert.throws(() => tpMode(odd, 4), /mlp size 250 is not divisible by 4/);
});

bad('every valid factorization of tiny is accepted by sp and shift', () => {
  for (const P of [1, 2, 4, 8]) {
    for (const { sp, tp } of factorizations(P)) {
      for (const name of ['sp', 'shift']) {
        const modes = getStrategy(name).modes(tiny, resolveParallel(name as 'sp', P, sp, tp));
        assert.ok(modes.length >= 1);
      }
    }
  }
});

bad.run();
