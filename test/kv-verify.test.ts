import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KvLayoutError, compareLayouts, kvLayout, layoutFromShards, verifyInvariance } from '../src/kv/index.ts';
import { allModels, getModel } from '../src/model/catalog.ts';
import { factorizations } from '../src/parallel/mode.ts';
import { assertShiftDeployment, sweepDeployments, verifyDpAgainstTp, verifyShiftDeployment } from '../src/strategies/deployment.ts';
import { getStrategy } from '../src/strategies/registry.ts';
import { spMode } from '../src/strategies/sp.ts';
import { tpMode } from '../src/strategies/tp.ts';

/** Issue 3: the verifier's proofs and counterexamples on the catalog and on hand-made cases. */
const tiny = getModel('tiny');
const WORLDS = [1, 2, 4, 8, 16];

/** Whether the Shift deployment can exist at all (the project's own config check). */
function valid(name: string, P: number, sp: number, tp: number): boolean {
  try {
    if (sp * tp !== P) return false;
    spMode(getModel(name), sp, tp);
    tpMode(getModel(name), P);
    return true;
  } catch {
    return false;
  }
}

const proofs = suite('proofs');

proofs('every catalog model and valid factorization s·t = P is invariant, rank by rank', () => {
  let checked = 0;
  for (const m of allModels()) {
    for (const P of WORLDS) {
      for (const { sp, tp } of factorizations(P)) {
        const v = verifyShiftDeployment(m, P, sp, tp);
        if (!valid(m.name, P, sp, tp)) {
          assert.is(v.verdict, 'refused', `${m.name} P=${P} s=${sp} t=${tp}`);
          continue;
        }
        assert.is(v.verdict, 'invariant', `${m.name} P=${P} s=${sp} t=${tp}: ${v.reason}`);
        if (v.verdict !== 'invariant') continue;
        assert.is(v.ranks.length, P);
        for (const r of v.ranks) assert.equal(r.a.kvHeads, r.b.kvHeads, `${m.name} P=${P} s=${sp} t=${tp} rank ${r.rank}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 80, `only ${checked} valid deployments checked`);
});

proofs('GQA with fewer KV heads than s·t: one head per rank, replicated, same copy in both modes', () => {
  const v = verifyShiftDeployment('llama-3.3-70b', 16, 4, 4);
  assert.is(v.verdict, 'invariant');
  if (v.verdict !== 'invariant') return;
  for (const r of v.ranks) {
    assert.is(r.a.kvHeads.length, 1);
    assert.is(r.a.replicas, 2);
    assert.equal(r.a, { ...r.b, where: r.a.where }, `rank ${r.rank}`);
  }
  // Every KV head lives on exactly 2 ranks.
  const owners = Array.from({ length: 8 }, (_, h) => v.ranks.filter((r) => r.a.kvHeads[0] === h).length);
  assert.equal(owners, Array(8).fill(2));
  assert.match(v.reason, 'each head on 2 ranks');
});

proofs('rank (i, j) owns head block j·s+i in both modes (s = 4, t = 2, 8 KV heads)', () => {
  const v = verifyShiftDeployment('qwen3-32b', 8, 4, 2);
  assert.is(v.verdict, 'invariant');
  if (v.verdict !== 'invariant') return;
  // Rank 1 = (i 0, j 1): block 4 → query heads 32..39, KV head 4.
  assert.equal(v.ranks[1]!.a.qHeads, [32, 33, 34, 35, 36, 37, 38, 39]);
  assert.equal(v.ranks[1]!.b.kvHeads, [4]);
  assert.match(v.ranks[1]!.b.where, 'position 4 of the full-TP group [0,2,4,6,1,3,5,7]');
});

proofs.run();

const counter = suite('counterexamples');

counter('naive order with s, t > 1 moves KV for every catalog model; tiny names rank 1 and KV head 0', () => {
  for (const m of allModels()) {
    for (const P of WORLDS) {
      for (const { sp, tp } of factorizations(P)) {
        if (sp === 1 || tp === 1 || !valid(m.name, P, sp, tp)) continue;
        const v = verifyShiftDeployment(m, P, sp, tp, 'naive');
        assert.is(v.verdict, 'moves', `${m.name} P=${P} s=${sp} t=${tp} naive`);
      }
    }
  }
  const v = verifyShiftDeployment(tiny, 4, 2, 2, 'naive');
  if (v.verdict !== 'moves') return assert.unreachable(v.verdict);
  const c = v.counterexample;
  assert.equal([c.kvHead, c.rank, c.ownersA, c.ownersB], [0, 1, [0, 2], [0, 1]]);
  assert.equal([c.rankA.kvHeads, c.rankB.kvHeads], [[1], [0]]);
  assert.match(v.reason, 'rank 1 holds KV head 1 (copy 0 of 2) of every sequence in SP=2×TP=2');
  assert.match(v.reason, 'position 1 of the full-TP group [0,1,2,3]');
});

counter('naive order is harmless only where it equals the full-TP order: t = 1, or s = 1', () => {
  for (const [sp, tp] of [[4, 1], [1, 4]] as const) assert.is(verifyShiftDeployment(tiny, 4, sp, tp, 'naive').verdict, 'invariant', `s=${sp} t=${tp}`);
});

counter('DP against TP: per-request layout, not invariant; one replica is TP itself', () => {
  for (const m of allModels()) {
    for (const t of [1, 2]) {
      const v = verifyDpAgainstTp(m, 4, t);
      assert.is(v.verdict, 'moves', `${m.name} DP 4/${t}`);
      if (v.verdict === 'moves') assert.match(v.reason, 'per-request layout');
    }
  }
  const v = verifyDpAgainstTp('llama-3.3-70b', 8, 1);
  if (v.verdict !== 'moves') return assert.unreachable(v.verdict);
  // A sequence on replica 1 keeps KV head 0 on rank 1 in DP, on rank 0 in TP.
  assert.equal([v.counterexample.kvHead, v.counterexample.ownersA, v.counterexample.ownersB], [0, [1], [0]]);
  assert.match(v.counterexample.sequences, 'replica 1 of 8');
  assert.is(verifyDpAgainstTp(tiny, 4, 4).verdict, 'invariant');
});

counter('s·t ≠ P, non-integers and heads that do not split are refused with the numbers', () => {
  const cases: [number, number, number, RegExp][] = [
    [8, 2, 2, /SP 2 × TP 2 = 4 does not equal the world size 8.*choose s·t = 8/],
    [8, 3, 2, /SP 3 × TP 2 = 6 does not equal the world size 8/],
    [4, 0, 4, /sp must be a positive integer, got 0/],
    [4, 1.5, 2, /sp must be a positive integer, got 1.5/],
    [16, 4, 4, /tiny: 8 query heads are not divisible by 16 ranks/],
  ];
  for (const [P, s, t, reason] of cases) {
    const v = verifyShiftDeployment(tiny, P, s, t);
    assert.is(v.verdict, 'refused', `P=${P} s=${s} t=${t}`);
    assert.match(v.reason, reason);
  }
  // 12 query heads, 6 KV heads on 4 ranks: neither split nor replicated evenly (vLLM's rule).
  const odd = { ...tiny, name: 'odd', heads: 12, kvHeads: 6 };
  assert.match(verifyShiftDeployment(odd, 4, 2, 2).reason, '6 KV heads can neither be split over nor replicated onto 4 ranks');
  assert.match(verifyDpAgainstTp(tiny, 4, 3).reason, 'DP replicas of TP 3 do not divide the world size 4');
});

counter('two layouts on different worlds, and a full-TP grid that does not match P, are refused', () => {
  const names = { a: 'a', b: 'b' };
  const v = verifyInvariance(tiny, names, () => [spMode(tiny, 2, 2), tpMode(tiny, 8)]);
  assert.is(v.verdict, 'refused');
  assert.match(v.reason, 'SP=2×TP=2 uses 4 ranks but TP=8 uses 8');
  const grid = verifyInvariance(tiny, names, () => [tpMode(tiny, 4), tpMode(tiny, 4, { sp: 2, tp: 4 })]);
  assert.is(grid.verdict, 'refused');
  assert.match(grid.reason, 'the full-TP group of SP=2×TP=4 has 8 ranks, but TP=4 has 4');
});

counter('only the copy of a replicated head differs (1 KV head): same data, invariant with a note', () => {
  const mqa = { ...tiny, name: 'mqa', kvHeads: 1 };
  const v = verifyShiftDeployment(mqa, 4, 2, 2, 'naive');
  assert.is(v.verdict, 'invariant');
  assert.match(v.reason, 'ranks [1, 2] hold another copy of the same replicated head (identical values)');
});

counter('reported layouts: a head on no rank, or a query head on two, is refused', () => {
  const good = kvLayout(tiny, tpMode(tiny, 2));
  const lost = layoutFromShards(tiny, 'lost', [good.ranks[0]!, good.ranks[0]!], 1);
  const v = compareLayouts(good, lost);
  assert.is(v.verdict, 'refused');
  assert.match(v.reason, 'lost stores KV head 1 on no rank');
});

counter('assertShiftDeployment throws KvLayoutError naming the deployment; passes a valid one', () => {
  assertShiftDeployment('llama-3.3-70b', 8, 8, 1);
  try {
    assertShiftDeployment('llama-3.3-70b', 8, 4, 2, 'naive');
    assert.unreachable('naive order accepted');
  } catch (e) {
    assert.instance(e, KvLayoutError);
    assert.match((e as Error).message, /refusing Shift deployment of llama-3.3-70b \(P=8, SP=4, TP=2, naive order\): KV head 1 of every sequence is stored on ranks \[2\] in SP=4×TP=2 but on ranks \[1\]/);
  }
  assert.throws(() => verifyShiftDeployment('llama-9000', 8, 4, 2), /unknown model 'llama-9000'/);
});

counter('the sweep covers every model × P × split', () => {
  const rows = sweepDeployments(allModels(), [2, 4, 8, 16], getStrategy('shift'));
  assert.is(rows.length, allModels().length * (2 + 3 + 4 + 5));
  assert.not.ok(rows.some((r) => r.verdict.verdict === 'moves'));
  assert.ok(sweepDeployments(allModels(), [8], getStrategy('shift'), 'naive').some((r) => r.verdict.verdict === 'moves'));
});

counter.run();
