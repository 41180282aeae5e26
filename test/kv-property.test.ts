import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Verdict } from '../src/kv/index.ts';
import { verifyDpAgainstTp, verifyShiftDeployment } from '../src/strategies/deployment.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { Rng } from '../src/util/rng.ts';
import { type BruteVerdict, type FlowMode, bruteForce, fullTpRanks } from './helpers/kv-dataflow.ts';

/**
 * Issue 3: on 600 seeded random (h, g, P, s, t) the verifier's verdict equals what a
 * brute-force simulation of the data movement finds (test/helpers/kv-dataflow.ts), and its
 * counterexample names a rank that really misses KV.
 */
const range = (start: number, n: number): number[] => Array.from({ length: n }, (_, k) => start + k);
const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
const lcm = (x: number, y: number): number => (x * y) / gcd(x, y);

/** A model with the given heads; MLP and vocab divisible by every t ≤ 16, so only heads matter. */
function model(heads: number, kvHeads: number): ModelConfig {
  return { name: `h${heads}g${kvHeads}`, layers: 1, hidden: 64, heads, kvHeads, headDim: 8, mlp: 720720, vocab: 720720, ropeTheta: 1e4, rmsEps: 1e-5, qkNorm: false, tiedEmbeddings: false, quant: { kind: 'fp8-channel' }, source: 'test' };
}

interface Case {
  readonly label: string;
  readonly verifier: Verdict;
  readonly brute: BruteVerdict;
}

function randomCase(rng: Rng): Case {
  const P = rng.pick([1, 2, 3, 4, 6, 8, 8, 12, 16, 16]);
  const divisors = range(1, P).filter((d) => P % d === 0);
  // Mostly head counts a deployment on P ranks can split (h a multiple of lcm(g, P)), some not.
  const g = rng.uniform() < 0.7 ? rng.pick([...divisors, 2 * P]) : rng.pick([1, 2, 3, 4, 6, 8, 16]);
  const h = rng.uniform() < 0.8 ? lcm(g, P) * rng.pick([1, 2]) : g * rng.pick([1, 2, 3, 4]);
  const seqLens = range(0, rng.int(1, 5)).map(() => rng.int(1, 6));
  const kind = rng.pick(['shift', 'shift', 'shift', 'naive', 'dp'] as const);
  if (kind === 'dp') {
    const t = rng.uniform() < 0.85 ? rng.pick(divisors) : rng.int(1, P + 1);
    const replicas = P / t;
    // Enough sequences that every replica holds one.
    const lens = Number.isInteger(replicas) ? [...seqLens, ...range(0, replicas).map(() => 2)] : seqLens;
    const dp: FlowMode = { kind: 'dp', replicas: Number.isInteger(replicas) ? replicas : 0, t };
    const brute = Number.isInteger(replicas) ? bruteForce(h, g, dp, { kind: 'tp', group: range(0, P) }, lens) : { verdict: 'refused' as const, badRanks: [] };
    return { label: `h=${h} g=${g} DP ${P}/${t}×TP ${t} vs TP ${P}`, verifier: verifyDpAgainstTp(model(h, g), P, t), brute };
  }
  const order = kind === 'naive' ? 'naive' : 'full-tp';
  const s = rng.uniform() < 0.85 ? rng.pick(divisors) : rng.int(1, P + 1);
  const t = rng.uniform() < 0.85 ? P / s : rng.int(1, P + 1);
  const group = s * t === P ? fullTpRanks(s, t, order) : range(0, P);
  return {
    label: `h=${h} g=${g} P=${P} s=${s} t=${t} ${order}`,
    verifier: verifyShiftDeployment(model(h, g), P, s, t, order),
    brute: bruteForce(h, g, { kind: 'sp', s, t }, { kind: 'tp', group }, seqLens),
  };
}

test('600 random deployments: verifier verdict = brute-force data movement', () => {
  const rng = new Rng('kv-property');
  const seen = { invariant: 0, moves: 0, refused: 0 };
  for (let n = 0; n < 600; n++) {
    const c = randomCase(rng);
    assert.is(c.verifier.verdict, c.brute.verdict, `${c.label}: verifier says ${c.verifier.verdict} (${c.verifier.reason}), brute force ${c.brute.verdict}`);
    if (c.verifier.verdict === 'moves') {
      const rank = c.verifier.counterexample.rank;
      assert.ok(c.brute.badRanks.includes(rank), `${c.label}: counterexample rank ${rank} misses nothing; brute force: [${c.brute.badRanks.join(',')}]`);
    }
    seen[c.verifier.verdict]++;
  }
  // The sample must exercise every verdict, or agreement would prove little.
  for (const [verdict, n] of Object.entries(seen)) assert.ok(n >= 60, `only ${n} cases with verdict ${verdict}: ${JSON.stringify(seen)}`);
});

test('the brute force itself sees movement: naive order on P = 4, s = t = 2', () => {
  const brute = bruteForce(8, 2, { kind: 'sp', s: 2, t: 2 }, { kind: 'tp', group: [0, 1, 2, 3] }, [3, 2]);
  assert.equal(brute, { verdict: 'moves', badRanks: [1, 2] });
  assert.equal(bruteForce(8, 2, { kind: 'sp', s: 2, t: 2 }, { kind: 'tp', group: fullTpRanks(2, 2, 'full-tp') }, [3, 2]), { verdict: 'invariant', badRanks: [] });
  assert.equal(fullTpRanks(4, 2, 'full-tp'), [0, 2, 4, 6, 1, 3, 5, 7]);
});

test.run();
