import { type HardwareProfile, ProfileError, loadProfileFile } from '../profile.ts';
import { H100_SXM } from './h100-sxm.ts';
import { H200 } from './h200.ts';

const BUILT_IN: readonly HardwareProfile[] = [H100_SXM, H200];

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
