import type { Rng } from '../../util/rng.ts';
import { requirePositive } from './check.ts';

/**
 * A Gamma(shape, 1) sample, by Marsaglia & Tsang's squeeze method ("A simple method for
 * generating gamma variables", ACM TOMS 2000). Shapes below 1 use the standard boost
 * Gamma(a) = Gamma(a + 1) · U^(1/a), since the method itself needs a >= 1.
 */
export function sampleGamma(shape: number, rng: Rng): number {
  requirePositive('gamma shape', shape);
  if (shape < 1) {
    let u = rng.uniform();
    while (u === 0) u = rng.uniform();
    return sampleGamma(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}
