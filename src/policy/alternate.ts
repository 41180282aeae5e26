import type { SwitchPolicy } from './types.ts';

/** Switches mode every iteration (SP first): a stress test of KV-layout invariance. */
export function alternatePolicy(): SwitchPolicy {
  return {
    name: 'alternate',
    decide: (s) => (s.iteration % 2 === 0 ? 'sp' : 'tp'),
  };
}
