import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ModeId } from '../src/parallel/mode.ts';
import { alternatePolicy } from '../src/policy/alternate.ts';
import { thresholdPolicy } from '../src/policy/threshold.ts';
import type { SwitchPolicy } from '../src/policy/types.ts';
import { type SystemSpec, fromArray, simulate } from '../src/sim/index.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { Rng } from '../src/util/rng.ts';
import { assertSimConserves } from './helpers/sim-invariants.ts';

/**
 * Invariants over 200 seeded random small traces across strategies, engine limits and policies,
 * with KV pools small enough to force chunking, preemption and rejection.
 */
interface Case {
  readonly spec: SystemSpec;
  readonly requests: TraceRequest[];
  readonly blocks: number;
  readonly blockSize: number;
}

const SYSTEMS: Pick<SystemSpec, 'strategy' | 'world' | 'sp' | 'tp' | 'model'>[] = [
  { strategy: 'tp', world: 2, model: 'tiny' },
  { strategy: 'tp', world: 4, model: 'tiny' },
  { strategy: 'sp', world: 4, sp: 2, tp: 2, model: 'tiny' },
  { strategy: 'dp', world: 4, tp: 1, model: 'tiny' },
  { strategy: 'dp', world: 4, tp: 2, model: 'small' },
  { strategy: 'shift', world: 4, sp: 4, tp: 1, model: 'tiny' },
  { strategy: 'shift', world: 4, sp: 2, tp: 2, model: 'small' },
];

/** A policy that records what it answered, keyed by call order. */
function recording(inner: SwitchPolicy, answers: ModeId[]): SwitchPolicy {
  return { name: inner.name, decide: (s) => { const m = inner.decide(s); answers.push(m); return m; } };
}

function randomCase(seed: number, answers: ModeId[]): Case {
  const rng = new Rng(`sim-case-${seed}`);
  const base = rng.pick(SYSTEMS);
  const blockSize = rng.pick([4, 16]);
  const blocks = rng.int(8, 60);
  const n = rng.int(1, 40);
  let t = 0;
  const requests = Array.from({ length: n }, (_, id): TraceRequest => {
    t += rng.uniform() < 0.3 ? 0 : rng.uniform() * 0.02; // bursts of simultaneous arrivals
    return { id, arrival: t, input: rng.int(1, 200), output: rng.int(1, 50) };
  });
  const policies = [thresholdPolicy(rng.int(0, 64)), alternatePolicy(), { name: 'coin', decide: () => (rng.uniform() < 0.5 ? 'tp' : 'sp') } as SwitchPolicy];
  const spec: SystemSpec = {
    ...base,
    name: `case-${seed}`,
    hardware: rng.pick(['h200', 'h100-sxm']),
    weightDtype: rng.pick(['fp8', 'bf16'] as const),
    engine: {
      max_num_batched_tokens: rng.int(8, 256),
      max_num_seqs: rng.int(1, 9),
      block_size: blockSize,
      num_gpu_blocks_override: blocks,
      cuda_graphs: rng.uniform() < 0.5,
    },
    ...(base.strategy === 'shift' ? { policy: recording(rng.pick(policies), answers) } : {}),
    ...(base.strategy === 'dp' ? { router: rng.pick(['round-robin', 'least-outstanding'] as const) } : {}),
  };
  return { spec, requests, blocks, blockSize };
}

test('200 random traces: requests finish or are rejected, tokens, KV, time and modes are consistent', async () => {
  let preempted = 0;
  let rejected = 0;
  let switches = 0;
  for (let seed = 0; seed < 200; seed++) {
    const answers: ModeId[] = [];
    const c = randomCase(seed, answers);
    const where = `seed ${seed} (${c.spec.strategy}, ${c.requests.length} requests, ${c.blocks} blocks of ${c.blockSize})`;
    const { result, iterations, decisions } = await assertSimConserves(c.spec, c.requests, where);

    // Shift ran each iteration in the mode its policy returned, in order; others never switch.
    if (c.spec.strategy === 'shift') {
      assert.equal(iterations.map((it) => it.mode), answers, `${where}: modes`);
      assert.equal(decisions, iterations.map((it) => `${it.replica}:${it.iteration}:${it.mode}`), where);
      const changes = iterations.filter((it, k) => k > 0 && it.mode !== iterations[k - 1]!.mode).length;
      assert.is(result.switches, changes, `${where}: switches`);
    } else {
      assert.is(result.switches, 0);
      assert.is(answers.length, 0);
    }
    preempted += result.preemptions;
    rejected += result.requests.rejected;
    switches += result.switches;
  }
  // The random cases must exercise the hard paths, or the invariants above prove little.
  assert.ok(preempted > 50 && rejected > 20 && switches > 100, `preemptions ${preempted}, rejections ${rejected}, switches ${switches}`);
});

test('the same inputs give the same result, to the last digit', async () => {
  for (const seed of [3, 17, 42]) {
    const run = async (): Promise<string> => {
      const c = randomCase(seed, []);
      return JSON.stringify(await simulate(c.spec, fromArray(c.requests)));
    };
    assert.is(await run(), await run(), `seed ${seed}`);
  }
});

test.run();
