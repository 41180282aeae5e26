import type { Llama3RopeScaling, ModelConfig } from './config.ts';

/**
 * The inverse frequencies of rotary position embedding, one per dimension pair i < d/2:
 * pair i of a head at position p rotates by the angle p · invFreq[i]. Unscaled,
 * invFreq[i] = θ^(−2i/d); with Llama 3 scaling, long wavelengths are stretched (see below).
 * Computed in float64, like every RoPE angle in the project (HF computes them in float32).
 * Every backend and the reference take this table, so a model's RoPE is defined here once.
 */
export function ropeInverseFrequencies(m: Pick<ModelConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const d = m.headDim;
  const inv = Float64Array.from({ length: d / 2 }, (_, i) => Math.pow(m.ropeTheta, (-2 * i) / d));
  return m.ropeScaling ? inv.map((f) => llama3Scaled(f, m.ropeScaling!)) : inv;
}

/**
 * One inverse frequency under Llama 3 scaling, as HF transformers' `_compute_llama3_parameters`
 * defines it: with wavelength λ = 2π / f and L = originalMaxPositions,
 *   λ < L / highFreqFactor (high frequencies)  → f unchanged
 *   λ > L / lowFreqFactor  (low frequencies)   → f / factor
 *   otherwise, s = (L / λ − lowFreqFactor) / (highFreqFactor − lowFreqFactor),
 *              f · ((1 − s) / factor + s)       (a blend of the two)
 */
function llama3Scaled(f: number, r: Llama3RopeScaling): number {
  const wavelength = (2 * Math.PI) / f;
  if (wavelength < r.originalMaxPositions / r.highFreqFactor) return f;
  if (wavelength > r.originalMaxPositions / r.lowFreqFactor) return f / r.factor;
  // Equal factors (Llama 4) leave a band of one wavelength, where the blend would divide by 0.
  if (r.highFreqFactor === r.lowFreqFactor) return f;
  const s = (r.originalMaxPositions / wavelength - r.lowFreqFactor) / (r.highFreqFactor - r.lowFreqFactor);
  return f * ((1 - s) / r.factor + s);
}
