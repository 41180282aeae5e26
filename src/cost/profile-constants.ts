import { type HardwareProfile, parseProfile } from './profile.ts';

/**
 * Reading and setting one constant of a hardware profile by its key path, as the paper's
 * calibration table and `yarn calibrate fit` write it: `engine.iteration_s`, `gemm.fp8.max_efficiency`,
 * `collectives[nccl_p2p_all_to_all].alpha_s`, …
 */
export class ConstantKeyError extends Error {
  override readonly name = 'ConstantKeyError';
}

const COLLECTIVE = /^collectives\[([^\]]+)\]\.(alpha_s|bus_bytes_per_s)$/;
const PLAIN = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** The value of a constant in a profile (0 for an optional one that is absent). */
export function getConstant(p: HardwareProfile, key: string): number {
  const c = COLLECTIVE.exec(key);
  if (c) {
    const a = p.collectives.find((x) => x.algorithm === c[1]);
    if (!a) throw new ConstantKeyError(`profile ${p.name} has no collective algorithm '${c[1]}' (key ${key})`);
    return a[c[2] as 'alpha_s' | 'bus_bytes_per_s'];
  }
  if (!PLAIN.test(key)) throw new ConstantKeyError(`'${key}' is not a profile constant key`);
  let node: unknown = p;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (node === undefined) return 0;
  if (typeof node !== 'number') throw new ConstantKeyError(`profile ${p.name}: ${key} is not a number`);
  return node;
}

/** A copy of `p` with the constant at `key` set to `value` (not validated: see withConstants). */
export function setConstant(p: HardwareProfile, key: string, value: number): HardwareProfile {
  const c = COLLECTIVE.exec(key);
  if (c) {
    if (!p.collectives.some((x) => x.algorithm === c[1])) throw new ConstantKeyError(`profile ${p.name} has no collective algorithm '${c[1]}' (key ${key})`);
    return { ...p, collectives: p.collectives.map((a) => (a.algorithm === c[1] ? { ...a, [c[2]!]: value } : a)) };
  }
  if (!PLAIN.test(key)) throw new ConstantKeyError(`'${key}' is not a profile constant key`);
  const set = (node: Record<string, unknown>, parts: readonly string[]): Record<string, unknown> => {
    const [head, ...rest] = parts as [string, ...string[]];
    if (rest.length === 0) return { ...node, [head]: value };
    const child = node[head];
    if (typeof child !== 'object' || child === null) throw new ConstantKeyError(`profile ${p.name} has no '${head}' (key ${key})`);
    return { ...node, [head]: set(child as Record<string, unknown>, rest) };
  };
  return set(p as unknown as Record<string, unknown>, key.split('.')) as unknown as HardwareProfile;
}

/** `base` with every constant set, renamed; validated like any profile. */
export function withConstants(base: HardwareProfile, values: readonly { readonly key: string; readonly value: number }[], name = base.name): HardwareProfile {
  const p = values.reduce((acc, v) => setConstant(acc, v.key, v.value), { ...base, name });
  return parseProfile(p, `profile ${name}`);
}

/**
 * A profile derived from a calibration: `base` (another GPU's roofline) with the calibrated
 * profile's software constants (vLLM, NCCL, CUDA-graph behaviour on the same Hopper node), its
 * own hardware ones. Sources say where each carried constant came from.
 */
export function deriveProfile(base: HardwareProfile, calibrated: HardwareProfile, name: string): HardwareProfile {
  const c = calibrated.calibration;
  if (!c) throw new ConstantKeyError(`profile ${calibrated.name} is not calibrated: nothing to carry over to ${name}`);
  const carried = c.constants.filter((f) => f.scope === 'software');
  const keys = carried.map((f) => f.key).join(', ');
  const p = withConstants({ ...base, description: `${base.description ?? base.name}; software constants (${keys}) from the ${calibrated.name} calibration` }, carried, name);
  const sources = Object.fromEntries(carried.map((f) => [f.key, `software constant carried over from the ${calibrated.name} calibration (\`${c.command}\`)`]));
  return { ...p, sources: { ...base.sources, ...sources } };
}
