import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generate } from '../src/exec/generate.ts';
import type { Executor, StepResult } from '../src/exec/types.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import type { Batch } from '../src/model/batch.ts';
import { getModel } from '../src/model/catalog.ts';
import type { Mode } from '../src/parallel/mode.ts';
import { alternatePolicy } from '../src/policy/alternate.ts';
import type { StrategyName } from '../src/strategies/types.ts';
import { resolveParallel } from '../src/strategies/registry.ts';
import { WORKLOAD } from './helpers/executor.ts';

/**
 * Issue 2, item 4: the bytes every rank's collectives moved equal the closed-form volume of its
 * strategy, written here independently of the strategy code (float32: 4 bytes per element):
 *   TP over n ranks:  per layer 2 all-reduces of N·H; then an all-gather of the B × V/n logits
 *   SP (s, t):        per layer the QKV all-to-all of s·m·(h/P + 2·g_P)·d (m = ⌈N/s⌉,
 *                     g_P = KV heads per rank after replication) and the output all-to-all of
 *                     s·m·(h/P)·d over SP, 2 all-reduces of m·H over TP (t > 1); then an
 *                     all-gather of m·H over SP and of the B × V/t logits over TP
 * Collectives over a single rank move nothing and are not recorded.
 */
const m = getModel('tiny');
type Rec = { kind: string; group: string; bytes: number };

function tpVolume(tokens: number, sampled: number, n: number, group: string): Rec[] {
  if (n === 1 || tokens === 0) return [];
  const layer: Rec[] = [
    { kind: 'all_reduce', group, bytes: 4 * tokens * m.hidden },
    { kind: 'all_reduce', group, bytes: 4 * tokens * m.hidden },
  ];
  const head = sampled > 0 ? [{ kind: 'all_gather', group, bytes: 4 * sampled * (m.vocab / n) }] : [];
  return [...Array.from({ length: m.layers }, () => layer).flat(), ...head];
}

function spVolume(tokens: number, sampled: number, s: number, t: number): Rec[] {
  const P = s * t;
  const rows = Math.ceil(tokens / s);
  const kvPerRank = m.kvHeads >= P ? m.kvHeads / P : 1;
  const layer: Rec[] = [];
  if (s > 1) {
    layer.push({ kind: 'all_to_all', group: 'sp', bytes: 4 * s * rows * (m.heads / P + 2 * kvPerRank) * m.headDim });
    layer.push({ kind: 'all_to_all', group: 'sp', bytes: 4 * s * rows * (m.heads / P) * m.headDim });
  }
  if (t > 1) layer.push(...[0, 1].map(() => ({ kind: 'all_reduce', group: 'tp', bytes: 4 * rows * m.hidden })));
  const tail: Rec[] = [];
  if (sampled > 0 && s > 1) tail.push({ kind: 'all_gather', group: 'sp', bytes: 4 * rows * m.hidden });
  if (sampled > 0 && t > 1) tail.push({ kind: 'all_gather', group: 'tp', bytes: 4 * sampled * (m.vocab / t) });
  return [...Array.from({ length: m.layers }, () => layer).flat(), ...tail];
}

/** The closed form of `mode` (by its id) with the deployment's degrees s = sp, t = tp on P = world ranks. */
function expected(batch: Batch, mode: Mode, rank: number, d: { world: number; sp: number; tp: number }): Rec[] {
  const seqs = mode.id === 'dp' ? batch.seqs.filter((q) => q.replica === Math.floor(rank / d.tp)) : batch.seqs;
  const N = seqs.reduce((a, q) => a + q.tokens.length, 0);
  const B = seqs.filter((q) => q.sample).length;
  if (mode.id === 'tp') return tpVolume(N, B, d.world, 'full');
  if (mode.id === 'dp') return tpVolume(N, B, d.tp, 'tp');
  if (mode.id === 'sp') return spVolume(N, B, d.sp, d.tp);
  throw new Error(`no closed form for mode '${mode.id}'`);
}

/** Runs a short generation and keeps every iteration's batch and result. */
async function recordSteps(strategy: StrategyName, world: number, sp?: number, tp?: number): Promise<{ batch: Batch; result: StepResult }[]> {
  const exec = await createWorkerExecutor({
    model: 'tiny', strategy, world, seed: 1, kvBlocks: 64, blockSize: 16, policy: alternatePolicy(),
    ...(sp ? { sp } : {}), ...(tp ? { tp } : {}),
  });
  const steps: { batch: Batch; result: StepResult }[] = [];
  const spy: Executor = { ...exec, step: async (batch) => {
    const result = await exec.step(batch);
    steps.push({ batch, result });
    return result;
  } };
  try {
    await generate(spy, { ...WORKLOAD, maxNewTokens: 3 });
  } finally {
    await exec.close();
  }
  return steps;
}

const volumes = suite('collective volumes match the closed forms');
const cases: [StrategyName, number, number | undefined, number | undefined][] = [
  ['tp', 4, undefined, undefined], ['dp', 4, undefined, 2], ['sp', 4, 4, 1], ['sp', 4, 2, 2], ['shift', 4, 2, 2], ['sp', 8, 2, 4],
];
for (const [strategy, world, sp, tp] of cases) {
  volumes(`${strategy} P=${world}${sp ? ` s=${sp}` : ''}${tp ? ` t=${tp}` : ''}`, async () => {
    const steps = await recordSteps(strategy, world, sp, tp);
    const degrees = resolveParallel(strategy, world, sp, tp);
    assert.ok(steps.length >= 3);
    let total = 0;
    for (const { batch, result } of steps) {
      result.comm.forEach((records, rank) => {
        const got = records.map((r) => ({ kind: r.op === 'p2p' ? r.dir : r.kind, group: r.group, bytes: r.bytes }));
        assert.equal(got, expected(batch, result.mode, rank, degrees), `rank ${rank}, ${result.mode.id} iteration of ${batch.seqs.length} sequences`);
        total += got.length;
      });
    }
    assert.ok(total > 0, 'no collectives were recorded at all');
  });
}
volumes.run();
