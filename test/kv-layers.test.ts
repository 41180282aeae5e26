import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type KvLayout, compareLayouts, formatVerdict, kvLayout, tpShard } from '../src/kv/index.ts';
import { getModel } from '../src/model/catalog.ts';
import type { ModelConfig } from '../src/model/config.ts';
import type { Mode } from '../src/parallel/mode.ts';
import { tpMode } from '../src/strategies/tp.ts';
import { Rng } from '../src/util/rng.ts';

/**
 * Issue 13: the verifier's layer axis. Layouts are built by hand here (no strategy splits layers
 * yet): pipeline stages of TP groups, stage k on ranks [k·t, (k+1)·t) holding layers
 * [cuts[k], cuts[k+1]). Each (layer, sequence, KV head) must stay on its ranks across a switch.
 */
const tiny4: ModelConfig = { ...getModel('tiny'), name: 'tiny-4-layers', layers: 4 };

function stagedMode(model: ModelConfig, t: number, cuts: readonly number[], label: string): Mode {
  const stages = cuts.length - 1;
  const P = stages * t;
  return {
    id: 'staged', label, layoutLabel: label, world: P, tokenShards: 1, pools: 1,
    groups: Array.from({ length: P }, () => []),
    kv: Array.from({ length: P }, (_, r) => {
      const k = Math.floor(r / t);
      return { rank: r, ...tpShard(model, t, r % t), layers: { start: cuts[k]!, end: cuts[k + 1]! }, pool: 0, where: `TP position ${r % t} of stage ${k}` };
    }),
  };
}

const layout = (t: number, cuts: number[], label: string): KvLayout => kvLayout(tiny4, stagedMode(tiny4, t, cuts, label));

test('two stages of TP 2 against themselves: invariant, each rank on its own layers', () => {
  const a = layout(2, [0, 2, 4], 'PP2');
  const v = compareLayouts(a, layout(2, [0, 2, 4], 'PP2 again'));
  assert.is(v.verdict, 'invariant', v.reason);
  assert.match(v.reason, 'each on its own layers');
  assert.match(formatVerdict(v), 'layers a  layers b');
});

test('a moved stage boundary: layer 2 of KV head 0 goes from rank 2 to rank 0, and the verifier says so', () => {
  // Hand check: tiny has 2 KV heads, TP 2 gives TP position p KV head p. In a, layer 2 sits on
  // stage 1 (ranks 2, 3); in b on stage 0 (ranks 0, 1). Layers 0, 1 and 3 keep their ranks.
  const v = compareLayouts(layout(2, [0, 2, 4], 'A'), layout(2, [0, 3, 4], 'B'));
  assert.is(v.verdict, 'moves');
  if (v.verdict !== 'moves') return;
  assert.equal(v.counterexample.layers, { start: 2, end: 3 });
  assert.is(v.counterexample.kvHead, 0);
  assert.equal([v.counterexample.ownersA, v.counterexample.ownersB, v.counterexample.rank], [[2], [0], 0]);
  assert.match(v.reason, 'KV head 0 of layer 2 of every sequence is stored on ranks [2] in A but on ranks [0] in B');
  assert.match(v.reason, 'rank 0 holds KV head 0 of layers [0, 2) of every sequence in A');
});

test('stages against full TP over every layer: moves, naming the layers and ranks', () => {
  // TP 4 on tiny: positions 0, 1 hold KV head 0 (two copies), so rank 1 gains head 0 of layers 0-1.
  const v = compareLayouts(layout(2, [0, 2, 4], 'PP2'), kvLayout(tiny4, tpMode(tiny4, 4)));
  assert.is(v.verdict, 'moves');
  assert.match(v.reason, 'KV head 0 of layers [0, 2) of every sequence is stored on ranks [0] in PP2 but on ranks [0, 1] in TP=4');
});

test('a layer on no rank, and a range outside the model, are refused', () => {
  const gap = compareLayouts(layout(2, [0, 2, 4], 'A'), kvLayout(tiny4, { ...stagedMode(tiny4, 2, [0, 2, 4], 'gap'), kv: stagedMode(tiny4, 2, [0, 2, 4], 'gap').kv.map((r) => (r.rank >= 2 ? { ...r, layers: { start: 3, end: 4 } } : r)) }));
  assert.is(gap.verdict, 'refused');
  assert.match(gap.reason, 'gap stores KV head 0 in layers [2, 3) on no rank');
  const outside = compareLayouts(layout(2, [0, 2, 5], 'too long'), layout(2, [0, 2, 4], 'B'));
  assert.match(outside.reason, 'too long gives rank 2 layers [2, 5), not a non-empty range of the model\'s 4');
});

/**
 * Brute force, written without layer segments: every layer, every KV head, every rank. Refused
 * when some layer lacks a KV head or gives a query head to other than one rank; else the ranks
 * whose holdings of some (layer, head) differ.
 */
function brute(a: KvLayout, b: KvLayout): { verdict: string; bad: Map<string, Set<number>> } {
  const bad = new Map<string, Set<number>>();
  for (const l of [a, b]) {
    for (let layer = 0; layer < l.layers; layer++) {
      const on = l.ranks.filter((r) => r.layers.start <= layer && layer < r.layers.end);
      for (let h = 0; h < l.kvHeads; h++) if (!on.some((r) => r.kvHeads.includes(h))) return { verdict: 'refused', bad };
      for (let q = 0; q < l.heads; q++) if (on.filter((r) => r.qHeads.includes(q)).length !== 1) return { verdict: 'refused', bad };
    }
  }
  const has = (l: KvLayout, r: number, layer: number, h: number): boolean => {
    const x = l.ranks[r]!;
    return x.layers.start <= layer && layer < x.layers.end && x.kvHeads.includes(h);
  };
  for (let layer = 0; layer < a.layers; layer++) {
    for (let h = 0; h < a.kvHeads; h++) {
      for (let r = 0; r < a.world; r++) {
        if (has(a, r, layer, h) !== has(b, r, layer, h)) {
          const key = `${layer}:${h}`;
          bad.set(key, (bad.get(key) ?? new Set()).add(r));
        }
      }
    }
  }
  return { verdict: bad.size > 0 ? 'moves' : 'invariant', bad };
}

function randomCuts(rng: Rng, L: number, stages: number): number[] {
  const inner = new Set<number>();
  while (inner.size < stages - 1) inner.add(rng.int(1, L)); // a cut in 1..L-1
  return [0, ...[...inner].sort((x, y) => x - y), L];
}

test('300 seeded random staged layouts: the verdict equals the brute force, the counterexample is a real one', () => {
  const rng = new Rng(13);
  const counts = new Map<string, number>();
  for (let i = 0; i < 300; i++) {
    const L = rng.int(2, 8);
    const model = { ...tiny4, layers: L };
    const P = rng.pick([2, 4, 8]);
    const make = (label: string): KvLayout => {
      const t = rng.pick([1, 2, 4, 8].filter((x) => P % x === 0 && P / x <= L));
      const mode = stagedMode(model, t, randomCuts(rng, L, P / t), label);
      // Sometimes nudge one rank's range: a gap, an overlap, or nothing.
      if (rng.uniform() < 0.3) {
        const r = rng.int(0, P);
        const x = mode.kv[r]!;
        const layers = rng.uniform() < 0.5 ? { start: x.layers.start, end: Math.max(x.layers.start + 1, x.layers.end - 1) } : { start: Math.max(0, x.layers.start - 1), end: x.layers.end };
        return kvLayout(model, { ...mode, kv: mode.kv.map((y) => (y.rank === r ? { ...y, layers } : y)) });
      }
      return kvLayout(model, mode);
    };
    const [a, b] = [make('a'), make('b')];
    const v = compareLayouts(a, b);
    const expect = brute(a, b);
    assert.is(v.verdict, expect.verdict, `case ${i}: ${v.reason}`);
    counts.set(v.verdict, (counts.get(v.verdict) ?? 0) + 1);
    if (v.verdict === 'moves') {
      const c = v.counterexample;
      for (let layer = c.layers.start; layer < c.layers.end; layer++) {
        assert.ok(expect.bad.get(`${layer}:${c.kvHead}`)?.has(c.rank), `case ${i}: rank ${c.rank}, layer ${layer}, head ${c.kvHead} is not a real counterexample`);
      }
    }
  }
  // Every verdict occurs, so the comparison above tested each branch.
  for (const verdict of ['invariant', 'moves', 'refused']) assert.ok((counts.get(verdict) ?? 0) >= 10, `${verdict}: ${counts.get(verdict) ?? 0} cases`);
});

test.run();
