import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getModel } from '../src/model/catalog.ts';
import type { Llama3RopeScaling } from '../src/model/config.ts';
import { ModelConfigError, validateModel } from '../src/model/config.ts';
import { ropeInverseFrequencies } from '../src/model/rope.ts';
import { Rng } from '../src/util/rng.ts';

/**
 * Llama 3 RoPE scaling, by hand. Llama-3.1-8B's config.json: rope_theta 500000, head_dim 128,
 * rope_scaling factor 8, low_freq_factor 1, high_freq_factor 4, original 8192 — so wavelengths
 * below 8192 / 4 = 2048 keep their frequency, those above 8192 / 1 = 8192 are divided by 8.
 * Pair i has f = 500000^(−i/64) (ln 500000 = 13.12236) and wavelength λ = 2π / f:
 *   i = 0:  f = 1,                          λ = 6.283      → 1
 *   i = 20: f = e^(−4.100739) = 0.01656044, λ = 379.41     → 0.01656044
 *   i = 32: f = 500000^(−1/2) = 1/707.1068 = 0.001414214, λ = 4442.883 (in the band):
 *           s = (8192 / 4442.883 − 1) / (4 − 1) = 0.2812826,
 *           f · ((1 − s) / 8 + s) = 0.001414214 · 0.3711223 = 0.0005248462
 *   i = 63: f = e^(−12.91733) = 2.455141e-6, λ = 2.56e6     → f / 8 = 3.068926e-7
 */
const llama31 = getModel('llama-3.1-8b');

test('the catalog Llama-3.x entries carry Llama 3 scaling; Qwen3 has none', () => {
  for (const name of ['llama-3.1-8b', 'llama-3.3-70b']) {
    assert.equal(getModel(name).ropeScaling, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 }, name);
  }
  assert.is(getModel('qwen3-32b').ropeScaling, undefined);
});

test('Llama-3.1-8B inverse frequencies equal the hand calculation in each band', () => {
  const inv = ropeInverseFrequencies(llama31);
  assert.is(inv.length, 64);
  for (const [i, want] of [[0, 1], [20, 0.01656044], [32, 0.0005248462], [63, 3.068926e-7]] as const) {
    assert.ok(Math.abs(inv[i]! / want - 1) < 1e-6, `pair ${i}: ${inv[i]} vs ${want}`);
  }
});

test('without scaling the table is θ^(−2i/d)', () => {
  const inv = ropeInverseFrequencies({ headDim: 128, ropeTheta: 500000 });
  // i = 32: 500000^(−1/2) = 1/707.1068 (see above).
  assert.ok(Math.abs(inv[32]! * 707.10678 - 1) < 1e-6, `${inv[32]}`);
});

test('over random scalings: each frequency is divided by between 1 and factor, more for longer wavelengths', () => {
  const rng = new Rng('rope-scaling');
  for (let trial = 0; trial < 200; trial++) {
    const low = 0.5 + 2 * rng.uniform();
    const scaling: Llama3RopeScaling = {
      type: 'llama3',
      factor: 1 + 31 * rng.uniform(),
      lowFreqFactor: low,
      highFreqFactor: low + 8 * rng.uniform(),
      originalMaxPositions: rng.pick([16, 512, 8192, 32768]),
    };
    const m = { headDim: rng.pick([16, 64, 128]), ropeTheta: rng.pick([1e4, 5e5, 1e6]) };
    const plain = ropeInverseFrequencies(m);
    const scaled = ropeInverseFrequencies({ ...m, ropeScaling: scaling });
    let previous = 1;
    plain.forEach((f, i) => {
      const kept = scaled[i]! / f; // wavelength grows with i, so the kept share must not grow
      const where = `trial ${trial}, pair ${i}: ${JSON.stringify(scaling)}`;
      assert.ok(kept <= 1 + 1e-12 && kept >= 1 / scaling.factor - 1e-12, `${where}: kept ${kept}`);
      assert.ok(kept <= previous + 1e-12, `${where}: kept ${kept} after ${previous}`);
      previous = kept;
    });
  }
});

test('bad scaling parameters are refused naming the model and the number', () => {
  const bad = (scaling: Partial<Llama3RopeScaling>, message: RegExp): void => {
    const m = { ...llama31, name: 'x', ropeScaling: { ...llama31.ropeScaling!, ...scaling } };
    assert.throws(() => validateModel(m), (e: unknown) => e instanceof ModelConfigError && message.test((e as Error).message));
  };
  bad({ factor: 0 }, /model 'x': Llama 3 RoPE scaling factor must be positive, got 0/);
  bad({ highFreqFactor: 0.5 }, /highFreqFactor \(0.5\) must be at least lowFreqFactor \(1\)/);
  bad({ originalMaxPositions: -1 }, /originalMaxPositions must be positive, got -1/);
});

test.run();
