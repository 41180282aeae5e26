import type { Rng } from '../../util/rng.ts';
import { TraceOptionsError } from '../errors.ts';
import type { LengthTable } from '../load.ts';
import { requireInteger } from './check.ts';

/**
 * Request lengths (prompt and output tokens):
 * - fixed: every request the same (the paper's 4k in / 250 out);
 * - uniform: integers drawn uniformly from [lo, hi], both ends included;
 * - file: input/output pairs drawn (with replacement, uniformly) from a trace or length file,
 *   given by catalog name (`sharegpt-lengths`, ...) or path; `maxRows` limits how many are read.
 */
export type LengthSpec =
  | { readonly kind: 'fixed'; readonly input: number; readonly output: number }
  | { readonly kind: 'uniform'; readonly input: readonly [number, number]; readonly output: readonly [number, number] }
  | { readonly kind: 'file'; readonly file: string; readonly maxRows?: number };

export interface Lengths {
  readonly input: number;
  readonly output: number;
}

/** Draws one request's lengths. */
export type LengthSampler = (rng: Rng) => Lengths;

/** A sampler for a spec; `table` must be given (already loaded) for kind 'file'. */
export function lengthSampler(spec: LengthSpec, table?: LengthTable): LengthSampler {
  switch (spec.kind) {
    case 'fixed': {
      requireInteger('lengths.input', spec.input, 0);
      requireInteger('lengths.output', spec.output, 0);
      const l = { input: spec.input, output: spec.output };
      return () => l;
    }
    case 'uniform': {
      const [iLo, iHi] = checkRange('lengths.input', spec.input);
      const [oLo, oHi] = checkRange('lengths.output', spec.output);
      return (rng) => ({ input: rng.int(iLo, iHi + 1), output: rng.int(oLo, oHi + 1) });
    }
    case 'file': {
      if (table === undefined) throw new TraceOptionsError(`lengths file '${spec.file}' was not loaded`);
      const n = table.input.length;
      return (rng) => {
        const i = rng.int(0, n);
        return { input: table.input[i] as number, output: table.output[i] as number };
      };
    }
  }
}

function checkRange(key: string, r: readonly [number, number]): [number, number] {
  const [lo, hi] = r;
  requireInteger(`${key}[0] (lo)`, lo, 0);
  requireInteger(`${key}[1] (hi)`, hi, 0);
  if (lo > hi) throw new TraceOptionsError(`${key}: lo ${lo} is greater than hi ${hi}; expected [lo, hi] with lo <= hi`);
  return [lo, hi];
}
