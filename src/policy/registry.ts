import { alternatePolicy } from './alternate.ts';
import { thresholdPolicy } from './threshold.ts';
import { PolicyError, type SwitchPolicy } from './types.ts';

/** Built-in policies by name; a spec string is `name` or `name:argument` (e.g. threshold:512). */
const BUILT_IN: Record<string, (arg: string | undefined) => SwitchPolicy> = {
  threshold: (arg) => {
    const t = arg === undefined ? 512 : Number(arg);
    if (!Number.isInteger(t) || t < 0) throw new PolicyError(`threshold must be a non-negative integer of tokens, got '${arg}'`);
    return thresholdPolicy(t);
  },
  alternate: () => alternatePolicy(),
};

export function policyNames(): string[] {
  return Object.keys(BUILT_IN);
}

export function policyFromSpec(spec: string): SwitchPolicy {
  const [name, arg] = spec.split(/:(.*)/s) as [string, string | undefined];
  const make = BUILT_IN[name];
  if (!make) throw new PolicyError(`unknown policy '${name}'; built-in policies: ${policyNames().join(', ')}`);
  return make(arg);
}
