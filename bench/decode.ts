import { generate } from '../src/exec/generate.ts';
import type { Executor } from '../src/exec/types.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { createReferenceExecutor } from '../src/exec/reference-executor.ts';
import type { StrategyName } from '../src/strategies/types.ts';
import { thresholdPolicy } from '../src/policy/threshold.ts';

/**
 * Wall time of one decode iteration (4 sequences, one token each) of every strategy on `tiny`
 * at P = 2 (tfjs-wasm, worker threads). Usage: yarn bench decode [--world 2] [--steps 40]
 * Shift is timed in each mode (threshold 0 forces SP, a huge threshold forces full TP).
 */
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const world = arg('world', 2);
const steps = arg('steps', 40);

async function timeDecode(exec: Executor): Promise<{ median: number; p90: number }> {
  const times: number[] = [];
  const timed: Executor = {
    ...exec,
    step: async (batch) => {
      const t0 = performance.now();
      const r = await exec.step(batch);
      if (batch.seqs.every((s) => s.decode)) times.push(performance.now() - t0);
      return r;
    },
  };
  await generate(timed, { promptLens: [5, 17, 33, 64], maxNewTokens: steps + 1, seed: 1, vocab: 512, maxBatchedTokens: 128, blockSize: 16, kvBlocks: 64 });
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
}

const configs: { label: string; strategy: StrategyName | 'single'; sp?: number; tp?: number; threshold?: number }[] = [
  { label: 'single (reference, plain TS)', strategy: 'single' },
  { label: `tp  P=${world}`, strategy: 'tp' },
  { label: `dp  P=${world}`, strategy: 'dp' },
  { label: `sp  P=${world} s=${world} t=1`, strategy: 'sp', sp: world, tp: 1 },
  { label: `shift P=${world} (SP mode)`, strategy: 'shift', sp: world, tp: 1, threshold: 0 },
  { label: `shift P=${world} (TP mode)`, strategy: 'shift', sp: world, tp: 1, threshold: 1 << 30 },
];
console.log(`decode step, tiny, 4 sequences, ${steps} steps each (median / p90 ms):`);
for (const c of configs) {
  const exec =
    c.strategy === 'single'
      ? createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: 64, blockSize: 16 })
      : await createWorkerExecutor({
          model: 'tiny', strategy: c.strategy, world, seed: 1, kvBlocks: 64, blockSize: 16,
          ...(c.sp ? { sp: c.sp, tp: c.tp } : {}), ...(c.threshold !== undefined ? { policy: thresholdPolicy(c.threshold) } : {}),
        });
  const t = await timeDecode(exec);
  await exec.close();
  console.log(`  ${c.label.padEnd(30)} ${t.median.toFixed(2).padStart(7)}  ${t.p90.toFixed(2).padStart(7)}`);
}
