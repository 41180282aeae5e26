import type { HardwareProfile } from './profile.ts';

/**
 * How far to trust a profile's absolute numbers, for reports: a calibrated profile carries the
 * leave-one-out error of its fit (each measured point predicted by a fit that did not see it);
 * an uncalibrated one has no measured error.
 */
export interface ProfileTrust {
  readonly name: string;
  readonly calibrated: boolean;
  readonly loo_mape?: number;
  readonly train_mape?: number;
  readonly points?: number;
}

export function profileTrust(p: HardwareProfile): ProfileTrust {
  const c = p.calibration;
  if (!c) return { name: p.name, calibrated: false };
  return { name: p.name, calibrated: true, loo_mape: c.loo_mape, train_mape: c.train_mape, points: c.fit_points.length };
}

/** One sentence naming the profile and its out-of-sample error. */
export function trustSentence(t: ProfileTrust): string {
  if (!t.calibrated || t.loo_mape === undefined) {
    return `Hardware profile \`${t.name}\`: not calibrated against measurements (public constants only), so its absolute times have no measured error; compare systems rather than trust absolute numbers.`;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return `Hardware profile \`${t.name}\`: calibrated by \`yarn calibrate fit\` on ${t.points} measured points; leave-one-out error ${pct(t.loo_mape)} (training ${pct(t.train_mape ?? 0)}), so expect absolute times and throughputs to be off by about that much.`;
}
