/**
 * How a results file names one system: what run.json's plan lists for every system of a sweep
 * and for every candidate of a search (each adds its own fields).
 */
export interface PlannedSystem {
  readonly name: string;
  readonly strategy: string;
  readonly world: number;
  readonly sp: number;
  readonly tp: number;
  /** Switching strategies: the policy spec as a label ('threshold:512', 'hysteresis', a module path). */
  readonly policy?: string;
}
