import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Breakdown, BreakdownSum } from '../src/cost/breakdown.ts';
import { Rng } from '../src/util/rng.ts';

/**
 * BreakdownSum keeps collectives by group name in slots it finds by position first. Checked
 * against a plain-object reference over random sums whose groups come in random orders and
 * subsets (the slot shortcut must never mix two groups up).
 */
type Plain = { gemm: number; attention: number; memory: number; overhead: number; collectives: Record<string, number> };

const GROUPS = ['tp', 'sp', 'world', 'stage', 'pp'];

function randomSum(rng: Rng): { sum: BreakdownSum; plain: Plain } {
  const sum = new BreakdownSum();
  const plain: Plain = { gemm: rng.uniform(), attention: rng.uniform(), memory: rng.uniform(), overhead: rng.uniform(), collectives: {} };
  sum.gemm = plain.gemm;
  sum.attention = plain.attention;
  sum.memory = plain.memory;
  sum.overhead = plain.overhead;
  const names = [...GROUPS].sort(() => rng.uniform() - 0.5).slice(0, rng.int(0, GROUPS.length + 1));
  for (const name of names) {
    const t = rng.uniform();
    sum.addCollective(name, t);
    plain.collectives[name] = t;
  }
  return { sum, plain };
}

const combine = (a: Plain, b: Plain, f: (x: number, y: number) => number): Plain => {
  const collectives: Record<string, number> = {};
  for (const name of new Set([...Object.keys(a.collectives), ...Object.keys(b.collectives)])) collectives[name] = f(a.collectives[name] ?? 0, b.collectives[name] ?? 0);
  return { gemm: f(a.gemm, b.gemm), attention: f(a.attention, b.attention), memory: f(a.memory, b.memory), overhead: f(a.overhead, b.overhead), collectives };
};

function assertClose(got: Breakdown, want: Plain, what: string): void {
  for (const k of ['gemm', 'attention', 'memory', 'overhead'] as const) assert.ok(Math.abs(got[k] - want[k]) < 1e-12, `${what}: ${k} ${got[k]} vs ${want[k]}`);
  for (const [name, t] of Object.entries(want.collectives)) assert.ok(Math.abs((got.collectives[name] ?? 0) - t) < 1e-12, `${what}: collectives.${name} ${got.collectives[name]} vs ${t}`);
  for (const [name, t] of Object.entries(got.collectives)) if (!(name in want.collectives)) assert.is(t, 0, `${what}: ${name} should be 0`);
  const total = want.gemm + want.attention + want.memory + want.overhead + Object.values(want.collectives).reduce((x, y) => x + y, 0);
  assert.ok(Math.abs(got.total - total) < 1e-12, `${what}: total`);
}

test('add equals a per-name reference, whatever order and subset of groups each sum saw (seeded)', () => {
  const rng = new Rng('breakdown-sum');
  for (let trial = 0; trial < 500; trial++) {
    const [a, b, target] = [randomSum(rng), randomSum(rng), randomSum(rng)];
    const scale = rng.uniform() * 4 - 2;

    target.sum.add(a.sum, scale);
    const once = combine(target.plain, a.plain, (x, y) => x + scale * y);
    assertClose(target.sum.toJSON(), once, `trial ${trial} add`);
    // Twice, with a third sum whose groups come in another order.
    target.sum.add(b.sum);
    assertClose(target.sum.toJSON(), combine(once, b.plain, (x, y) => x + y), `trial ${trial} add again`);

  }
});

test.run();
