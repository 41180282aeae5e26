import { readFileSync } from 'node:fs';
import { deriveProfile } from '../profile-constants.ts';
import { type HardwareProfile, ProfileError, loadProfileFile, parseProfile } from '../profile.ts';
import { H100_SXM_ROOFLINE } from './h100-sxm-roofline.ts';
import { H200_ROOFLINE } from './h200-roofline.ts';

/**
 * The built-in profiles:
 *   h200               the paper's node, calibrated: h200.json beside this file, written by
 *                      `yarn calibrate fit ../shared/calibration/measurements.yaml --out src/cost/profiles/h200.json`
 *                      (its `calibration` block says what was fitted, to which points, and the
 *                      leave-one-out error)
 *   h200-roofline      the same node uncalibrated: public constants only (h200-roofline.ts)
 *   h100-sxm           H100's roofline with the h200 fit's software constants (vLLM, NCCL and
 *                      CUDA-graph behaviour on the same NVSwitch node; HBM stays the H100's)
 *   h100-sxm-roofline  H100 uncalibrated
 */
const H200: HardwareProfile = parseProfile(JSON.parse(readFileSync(new URL('./h200.json', import.meta.url), 'utf8')), 'src/cost/profiles/h200.json');
const H100_SXM: HardwareProfile = deriveProfile(H100_SXM_ROOFLINE, H200, 'h100-sxm');

const BUILT_IN: readonly HardwareProfile[] = [H100_SXM, H100_SXM_ROOFLINE, H200, H200_ROOFLINE];

export function profileNames(): string[] {
  return BUILT_IN.map((p) => p.name);
}

/** A built-in profile by name, or a JSON profile file when `nameOrPath` ends in .json. */
export function getProfile(nameOrPath: string): HardwareProfile {
  if (nameOrPath.endsWith('.json')) return loadProfileFile(nameOrPath);
  const p = BUILT_IN.find((x) => x.name === nameOrPath);
  if (!p) throw new ProfileError(`unknown hardware profile '${nameOrPath}'; built-in: ${profileNames().join(', ')}, or a path to a .json profile`);
  return p;
}
