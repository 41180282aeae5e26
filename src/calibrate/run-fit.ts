import type { FittedConstant, HardwareProfile } from '../cost/profile.ts';
import { H100_SXM_ROOFLINE } from '../cost/profiles/h100-sxm-roofline.ts';
import { H200_ROOFLINE } from '../cost/profiles/h200-roofline.ts';
import { withConstants } from '../cost/profile-constants.ts';
import { FREE_CONSTANTS, type FreeConstant } from './constants.ts';
import { FIT_ITERATIONS, PRIOR_WEIGHT, REFIT_ITERATIONS, fitConstants, leaveOneOut, mape } from './fit.ts';
import { loadMeasurements } from './measurements.ts';
import { type ProfileSet, buildScenarios } from './scenarios.ts';

/**
 * `yarn calibrate fit`: the free constants fitted to the `use: fit` points of a measurements
 * file on the uncalibrated H200 roofline, the leave-one-out error, the `use: check` points
 * predicted with the result, and the calibrated profile with its provenance.
 */
export interface PointRow {
  readonly id: string;
  readonly measured: number;
  readonly predicted: number;
  /** Predicted by the fit that left this point out (fit points only). */
  readonly loo?: number;
}

export interface FitReport {
  readonly measurements: string;
  readonly points: readonly PointRow[];
  readonly checks: readonly PointRow[];
  readonly constants: readonly (FittedConstant & { readonly sourced: boolean })[];
  readonly trainMape: number;
  readonly looMape: number;
  readonly evaluations: number;
  readonly seconds: { readonly record: number; readonly fit: number; readonly loo: number };
  readonly profile: HardwareProfile;
}

export const OPTIMIZER = `ml-levenberg-marquardt (MAP least squares of log errors, prior weight ${PRIOR_WEIGHT}; ${FIT_ITERATIONS} iterations from the priors, ${REFIT_ITERATIONS} warm for each leave-one-out refit)`;

/** The profiles a vector of constant values (FREE_CONSTANTS order) gives each hardware. */
export function profilesFor(values: readonly number[], constants: readonly FreeConstant[] = FREE_CONSTANTS): ProfileSet {
  const all = constants.map((c, j) => ({ key: c.key, value: values[j]! }));
  const software = all.filter((_, j) => constants[j]!.scope === 'software');
  return { h200: withConstants(H200_ROOFLINE, all, 'h200'), 'h100-sxm': withConstants(H100_SXM_ROOFLINE, software, 'h100-sxm') };
}

const ROOFLINES: ProfileSet = { h200: H200_ROOFLINE, 'h100-sxm': H100_SXM_ROOFLINE };

export async function runFit(file: string, shownAs = file, log: (line: string) => void = () => {}): Promise<FitReport> {
  const t0 = performance.now();
  const measurements = loadMeasurements(file);
  const scenarios = await buildScenarios(measurements, ROOFLINES);
  const fit = scenarios.filter((s) => s.point.use === 'fit');
  const checks = scenarios.filter((s) => s.point.use === 'check');
  if (fit.length < 2) throw new Error(`${file}: ${fit.length} 'use: fit' point(s); a fit needs at least 2`);
  const t1 = performance.now();
  log(`recorded ${scenarios.length} points' runs in ${((t1 - t0) / 1000).toFixed(1)} s`);
  const points = fit.map((s) => ({ id: s.point.id, measured: s.point.value }));
  const predict = (values: readonly number[]): number[] => {
    const profiles = profilesFor(values);
    return fit.map((s) => s.evaluate(profiles));
  };
  const full = fitConstants(FREE_CONSTANTS, points, predict);
  const t2 = performance.now();
  log(`fitted ${FREE_CONSTANTS.length} constants to ${points.length} points in ${((t2 - t1) / 1000).toFixed(1)} s (${full.evaluations} evaluations)`);
  const loo = leaveOneOut(FREE_CONSTANTS, points, predict, full.values);
  const t3 = performance.now();
  log(`leave-one-out: ${points.length} refits in ${((t3 - t2) / 1000).toFixed(1)} s (${loo.evaluations} evaluations)`);
  const measured = points.map((p) => p.measured);
  const trainMape = mape(full.predicted, measured);
  const looMape = mape(loo.predicted, measured);
  const final = profilesFor(full.values);
  const constants = FREE_CONSTANTS.map((c, j) => ({ key: c.key, prior: c.prior, lower: c.lower, upper: c.upper, value: full.values[j]!, source: c.source, sourced: c.sourced, scope: c.scope }));
  const profile = calibratedProfile(final.h200, {
    command: `yarn calibrate fit ${shownAs}`,
    measurements: shownAs,
    fit_points: points.map((p) => p.id),
    constants: constants.map(({ sourced: _s, ...f }) => f),
    train_mape: trainMape,
    loo_mape: looMape,
    optimizer: OPTIMIZER,
  });
  return {
    measurements: shownAs,
    points: points.map((p, i) => ({ ...p, predicted: full.predicted[i]!, loo: loo.predicted[i]! })),
    checks: checks.map((s) => ({ id: s.point.id, measured: s.point.value, predicted: s.evaluate(final) })),
    constants,
    trainMape,
    looMape,
    evaluations: full.evaluations + loo.evaluations,
    seconds: { record: (t1 - t0) / 1000, fit: (t2 - t1) / 1000, loo: (t3 - t2) / 1000 },
    profile,
  };
}

/** The calibrated H200 profile: fitted constants, their sources, and the fit's provenance. */
function calibratedProfile(p: HardwareProfile, calibration: NonNullable<HardwareProfile['calibration']>): HardwareProfile {
  const sources = Object.fromEntries(
    calibration.constants.map((c) => [c.key, `fitted by \`${calibration.command}\` (bounds ${c.lower}–${c.upper}); ${c.source}`]),
  );
  return {
    ...p,
    description: `8× H200 SXM 141GB, NVLink 4 / NVSwitch; calibrated: ${calibration.constants.length} constants fitted to ${calibration.fit_points.length} measured points (leave-one-out error ${(calibration.loo_mape * 100).toFixed(1)}%)`,
    sources: { ...p.sources, ...sources },
    calibration,
  };
}
