import type { SwitchPolicy } from './types.ts';

/**
 * The upstream rule (ArcticInference): run the full-TP shift model when the iteration's total
 * scheduled tokens are at most `threshold` (code default 512), else the SP base model.
 */
export function thresholdPolicy(threshold = 512): SwitchPolicy {
  return {
    name: `threshold:${threshold}`,
    decide: (s) => (s.totalTokens <= threshold ? 'tp' : 'sp'),
  };
}
