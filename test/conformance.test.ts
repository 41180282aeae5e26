import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generate } from '../src/exec/generate.ts';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { compareLayouts, kvLayout } from '../src/kv/index.ts';
import { strategyNames } from '../src/strategies/registry.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { Rng } from '../src/util/rng.ts';
import { assertCommBytesMatchMeta } from './helpers/comm-bytes.ts';
import { RankPools, batchesInFlightOf, commBatches, cyclePolicy, degreesOf, deploymentsOf, referenceOf, workloadFor } from './helpers/conformance.ts';
import { worstLogitError } from './helpers/executor.ts';
import { assertSimConserves } from './helpers/sim-invariants.ts';

/**
 * Issue 13: one suite over every registered strategy, naming none. A strategy is tested here by
 * being listed in src/strategies/registry.ts. For each valid deployment on the tiny models at
 * P = 1, 2, 4, 8, on real worker-thread ranks (one pool per P, re-initialised per deployment):
 *  - greedy tokens equal the single-device reference's, logits within 1e-4, while a policy
 *    cycles the strategy's modes every iteration (KV written in one mode is read in the next);
 *  - the KV layout each mode declares covers every (layer, head) and keeps each on its ranks in
 *    every mode (the verifier; the switching block's proof too), the ranks' weights serve the
 *    heads declared, and the debug check finds no KV slot changed across any switch;
 *  - every rank's communicator moved exactly what the meta trace of that rank predicts;
 * and on the simulator (P = 1, 2, 4, 8), seeded small workloads conserve requests, tokens, KV blocks and time.
 */
const WORLDS = [1, 2, 4, 8];
const pools = new RankPools();
/** Communicator records compared per strategy, over all its deployments. */
const compared = new Map<string, number>();

const executor = suite('conformance: executor, KV, communicator');
executor.after(() => pools.close());

for (const name of strategyNames()) {
  executor(`${name}: at least one valid deployment on the tiny models at every P`, () => {
    for (const P of WORLDS) assert.ok(deploymentsOf(name, P).length > 0, `${name} has no valid deployment on ${P} ranks`);
  });
  for (const P of WORLDS) {
    for (const d of deploymentsOf(name, P)) {
      executor(`${d.label}: tokens, logits, KV, collective bytes`, async () => {
        const { model, parallel, modes } = d;
        const exec = await createWorkerExecutor({
          model: model.name, strategy: d.strategy.name, world: P, ...degreesOf(d), seed: 1,
          kvBlocks: 64, blockSize: 16, policy: cyclePolicy(modes), checkKvOnSwitch: true, pool: pools.get(P),
        });
        try {
          const ref = await referenceOf(model);
          const run = await generate(exec, workloadFor(model));
          const worst = worstLogitError(run, ref);
          assert.ok(worst.error <= 1e-4, `${d.label}: relative logit error ${worst.error} at ${worst.where}`);
          assert.equal(run.tokens, ref.tokens, `${d.label}: generated tokens differ from the reference`);
          // Every mode ran, so every switch between them was checked slot by slot.
          const ran = new Set<string>(run.modes);
          for (const m of modes) assert.ok(ran.has(m.id), `${d.label}: mode ${m.label} never ran`);

          // The KV layout each mode declares covers every (layer, head) and keeps each on its ranks
          // from the first mode to every other; the switching block's own proof agrees; and every
          // rank's weights were sharded for the heads its mode declares.
          const declared = modes.map((m) => kvLayout(model, m));
          for (const layout of declared) {
            const v = compareLayouts(declared[0]!, layout);
            assert.is(v.verdict, 'invariant', `${d.label}: ${declared[0]!.label} → ${layout.label}: ${v.reason}`);
          }
          const proof = d.strategy.switching?.kvProof(model, parallel);
          if (proof) assert.is(proof.verdict, 'invariant', `${d.label}: the switching block's KV proof: ${proof.reason}`);
          for (const m of modes) {
            const reported = exec.kvLayout(m).map(({ qHeads, kvHeads, replicas, replica }) => ({ qHeads, kvHeads, replicas, replica }));
            assert.equal(reported, m.kv.map(({ qHeads, kvHeads, replicas, replica }) => ({ qHeads, kvHeads, replicas, replica })), `${d.label}: heads the ranks' weights serve in ${m.label}`);
          }

          const comm = await assertCommBytesMatchMeta(exec, { model, strategy: d.strategy, parallel, batches: commBatches(model, exec.replicas) });
          compared.set(name, (compared.get(name) ?? 0) + comm.compared);
          assert.equal(new Set(comm.modes).size, modes.length, `${d.label}: the communicator check ran in ${[...new Set(comm.modes)].join(', ')}`);
        } finally {
          await exec.close();
        }
      });
    }
  }
  executor(`${name}: the communicator check compared records (not vacuous)`, () => {
    assert.ok((compared.get(name) ?? 0) > 0, `${name}: no rank of any deployment recorded a collective or a send`);
  });
}

executor('a borrowed pool of another size is refused before any rank is re-initialised', async () => {
  const [d] = deploymentsOf(strategyNames()[0]!, 2);
  try {
    await createWorkerExecutor({ model: d!.model.name, strategy: d!.strategy.name, world: 2, seed: 1, kvBlocks: 64, blockSize: 16, pool: pools.get(4) });
    assert.unreachable('a pool of 4 ranks ran a world of 2');
  } catch (e) {
    assert.match((e as Error).message, 'a borrowed pool of 4 ranks cannot run a world of 2');
  }
});

executor.run();

const sim = suite('conformance: simulator conservation');

/** A seeded burst-and-gap workload that chunks, preempts and (inputs up to 220 > 12 blocks of 16) rejects on a tiny KV pool. */
function workload(seed: string): TraceRequest[] {
  const rng = new Rng(seed);
  let t = 0;
  return Array.from({ length: 24 }, (_, id): TraceRequest => {
    t += rng.uniform() < 0.3 ? 0 : rng.uniform() * 0.01;
    return { id, arrival: t, input: rng.int(1, 220), output: rng.int(1, 40) };
  });
}

for (const name of strategyNames()) {
  sim(`${name}: every deployment at P = 1, 2, 4, 8 conserves requests, tokens, KV blocks and time`, async () => {
    let preempted = 0;
    let rejected = 0;
    for (const P of WORLDS) {
      for (const d of deploymentsOf(name, P)) {
        for (const seed of [1, 2, 3]) {
          const spec = {
            name: d.label, strategy: d.strategy.name, world: P, ...degreesOf(d), model: d.model.name, hardware: 'h200',
            engine: { max_num_batched_tokens: 64, max_num_seqs: 6, block_size: 16, num_gpu_blocks_override: 12, cuda_graphs: seed === 2 },
            ...(d.modes.length > 1 ? { policy: cyclePolicy(d.modes) } : {}),
          };
          const { result } = await assertSimConserves(spec, workload(`conformance-${seed}`), `${d.label} seed ${seed}`, batchesInFlightOf(d));
          preempted += result.preemptions;
          rejected += result.requests.rejected;
          if (d.modes.length > 1) assert.ok(result.switches > 0, `${d.label} seed ${seed}: the cycling policy never switched`);
        }
      }
    }
    // The workloads must reach the hard paths, or conservation proves little.
    assert.ok(preempted > 0 && rejected > 0, `${name}: preemptions ${preempted}, rejections ${rejected}`);
  });
}

sim.run();
