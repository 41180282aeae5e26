import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import type { FreeConstant } from './constants.ts';

/**
 * The fit of `yarn calibrate fit`: a maximum-a-posteriori least squares over the free constants,
 * solved by ml-levenberg-marquardt (mljs; bounds as box constraints).
 *
 *   minimise  Σ_points (ln(predicted / measured))²  +  Σ_constants (w · (u − u_prior))²
 *
 * Each constant is searched as u ∈ [0, 1] across its bounds (log-spaced when its lower bound is
 * positive, so 8 µs … 100 µs is as easy to cross as 0.45 … 0.8); w is PRIOR_WEIGHT for a
 * sourced constant and a tenth of it for an unsourced one: the prior only breaks ties the
 * measurements leave open, and a sourced constant moves only as far as the data insist.
 * Errors are relative (log ratios), so TTFT in ms and throughput in tok/s weigh alike.
 */
export const PRIOR_WEIGHT = 0.05;

/** Levenberg–Marquardt iterations of a fit from the priors, and of a leave-one-out refit (warm). */
export const FIT_ITERATIONS = 20;
export const REFIT_ITERATIONS = 6;

export interface FitPoint {
  readonly id: string;
  readonly measured: number;
}

/** Predicts every point for a vector of constant values (in FREE_CONSTANTS order). */
export type Predictor = (values: readonly number[]) => readonly number[];

export interface FitOutcome {
  readonly values: readonly number[];
  readonly predicted: readonly number[];
  readonly evaluations: number;
}

export function toUnit(c: FreeConstant, value: number): number {
  return c.lower > 0 ? Math.log(value / c.lower) / Math.log(c.upper / c.lower) : (value - c.lower) / (c.upper - c.lower);
}

export function fromUnit(c: FreeConstant, u: number): number {
  const v = Math.min(1, Math.max(0, u));
  return c.lower > 0 ? c.lower * (c.upper / c.lower) ** v : c.lower + v * (c.upper - c.lower);
}

/**
 * Fits the constants to the points (all, or all but `leaveOut`), starting at `start` (default:
 * the priors). Returns the values, every point's prediction at them, and the evaluations spent.
 */
export function fitConstants(
  constants: readonly FreeConstant[],
  points: readonly FitPoint[],
  predict: Predictor,
  o: { readonly start?: readonly number[]; readonly leaveOut?: number; readonly iterations?: number } = {},
): FitOutcome {
  const used = points.map((_, i) => i).filter((i) => i !== o.leaveOut);
  const priorU = constants.map((c) => toUnit(c, c.prior));
  const weights = constants.map((c) => (c.sourced ? PRIOR_WEIGHT : PRIOR_WEIGHT / 10));
  let evaluations = 0;
  const cache = new Map<string, number[]>();
  // Residuals for a u vector: one per used point, then one per constant (the prior).
  const residuals = (u: readonly number[]): number[] => {
    const key = u.join(',');
    let r = cache.get(key);
    if (!r) {
      evaluations++;
      const predicted = predict(constants.map((c, j) => fromUnit(c, u[j]!)));
      r = [...used.map((i) => Math.log(predicted[i]! / points[i]!.measured)), ...u.map((x, j) => weights[j]! * (x - priorU[j]!))];
      if (cache.size > 64) cache.clear();
      cache.set(key, r);
    }
    return r;
  };
  const n = used.length + constants.length;
  const start = o.start ? constants.map((c, j) => toUnit(c, o.start![j]!)) : priorU;
  const result = levenbergMarquardt(
    { x: Array.from({ length: n }, (_, i) => i), y: new Array<number>(n).fill(0) },
    (u) => {
      const r = residuals(u);
      return (i) => r[i]!;
    },
    {
      initialValues: start,
      minValues: constants.map(() => 0),
      maxValues: constants.map(() => 1),
      gradientDifference: 1e-3,
      damping: 1e-2,
      maxIterations: o.iterations ?? FIT_ITERATIONS,
      errorTolerance: 1e-12,
    },
  );
  const values = constants.map((c, j) => fromUnit(c, result.parameterValues[j]!));
  return { values, predicted: predict(values), evaluations: evaluations + 1 };
}

/** Mean absolute percentage error, as a fraction. */
export function mape(predicted: readonly number[], measured: readonly number[]): number {
  return predicted.reduce((a, p, i) => a + Math.abs(p / measured[i]! - 1), 0) / predicted.length;
}

/** Each point predicted by a refit on all the others (warm-started at the full fit). */
export function leaveOneOut(constants: readonly FreeConstant[], points: readonly FitPoint[], predict: Predictor, full: readonly number[]): { predicted: number[]; evaluations: number } {
  let evaluations = 0;
  const predicted = points.map((_, i) => {
    const refit = fitConstants(constants, points, predict, { start: full, leaveOut: i, iterations: REFIT_ITERATIONS });
    evaluations += refit.evaluations;
    return refit.predicted[i]!;
  });
  return { predicted, evaluations };
}
