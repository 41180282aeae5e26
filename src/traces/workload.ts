import { z } from 'zod';
import { resolveTrace, tracesDirs as defaultTracesDirs } from './discover.ts';
import { TraceOptionsError, WorkloadSpecError } from './errors.ts';
import { loadLengths, openTrace, type StreamHandle } from './load.ts';
import type { TraceOptions } from './options.ts';
import { TRACE_FORMATS } from './rows.ts';
import { syntheticStream, type SyntheticSpec } from './synthetic/stream.ts';

/**
 * A workload as an experiment config names it (plain data, e.g. parsed from YAML). Either a
 * trace replay: `{ trace: <catalog name or path>, window?, timeScale?, maxRequests?, zeroAt?,
 * spreadSteps?, dropHashIds?, skipBadRows?, format? }` (the options of TraceOptions), or a
 * synthetic workload: `{ synthetic: { arrivals, lengths, count?, duration? }, seed }`.
 */
export type WorkloadSpec = TraceWorkload | SyntheticWorkload;

export interface TraceWorkload extends TraceOptions {
  readonly trace: string;
}

export interface SyntheticWorkload {
  readonly synthetic: SyntheticSpec;
  readonly seed: string | number;
}

const seconds = z.number().min(0);
const positive = z.number().positive();
const tokens = z.number().int().min(0);
const range = z
  .tuple([tokens, tokens])
  .refine(([lo, hi]) => lo <= hi, { message: 'expected [lo, hi] with lo <= hi' });

const traceSchema = z.strictObject({
  trace: z.string().min(1),
  format: z.enum(TRACE_FORMATS as [string, ...string[]]).optional(),
  window: z.strictObject({ start: seconds.optional(), duration: positive.optional() }).optional(),
  zeroAt: z.enum(['first', 'window']).optional(),
  timeScale: positive.optional(),
  maxRequests: z.number().int().positive().optional(),
  spreadSteps: seconds.optional(),
  dropHashIds: z.boolean().optional(),
  skipBadRows: z.boolean().optional(),
});

const burst = z.strictObject({ at: seconds, size: z.number().int().positive(), duration: seconds.optional() });
const periodic = z.strictObject({
  count: z.number().int().positive(),
  size: z.number().int().positive(),
  first: seconds,
  period: positive,
  duration: seconds.optional(),
});

const arrivalsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('poisson'), rate: positive }),
  z
    .strictObject({ kind: z.literal('gamma'), rate: positive, cv: positive.optional(), burstiness: positive.optional() })
    .refine((a) => (a.cv === undefined) !== (a.burstiness === undefined), {
      message: 'give exactly one of cv (inter-arrival CV) and burstiness (gamma shape, = 1/cv²)',
    }),
  z.strictObject({ kind: z.literal('constant'), rate: positive }),
  z.strictObject({ kind: z.literal('saturate') }),
  z.strictObject({ kind: z.literal('bursts'), baseRate: seconds, bursts: z.union([z.array(burst).min(1), periodic]) }),
]);

const lengthsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), input: tokens, output: tokens }),
  z.strictObject({ kind: z.literal('uniform'), input: range, output: range }),
  z.strictObject({ kind: z.literal('file'), file: z.string().min(1), maxRows: z.number().int().positive().optional() }),
]);

const syntheticSchema = z.strictObject({
  synthetic: z
    .strictObject({
      arrivals: arrivalsSchema,
      lengths: lengthsSchema,
      count: z.number().int().positive().optional(),
      duration: positive.optional(),
    })
    .refine((s) => s.count !== undefined || s.duration !== undefined || (s.arrivals.kind === 'bursts' && s.arrivals.baseRate === 0), {
      message: 'give count (requests) or duration (seconds): the arrival process never ends',
    })
    .refine((s) => s.arrivals.kind !== 'saturate' || s.count !== undefined, {
      message: "'saturate' puts every request at t = 0: give count (requests)",
    }),
  seed: z.union([z.string(), z.number()]),
});

function describe(issues: readonly z.core.$ZodIssue[], where: string, base: readonly PropertyKey[] = []): string[] {
  return issues.flatMap((i) => {
    const path = [where, ...[...base, ...i.path].map(String)].join('.');
    if (i.code === 'invalid_union' && i.errors.length > 0) {
      return [`${path}: matches none of the allowed forms: ${i.errors.map((e) => describe(e, '', []).join('; ')).join(' | ')}`];
    }
    if (i.code === 'unrecognized_keys') return [`${path}: unknown key(s) ${i.keys.map((k) => `'${k}'`).join(', ')}`];
    // A union's input is the whole object, which says less than the message; show values only.
    const shown = i.code !== 'invalid_union' && 'input' in i && i.input !== undefined;
    const got = shown ? ` (got ${JSON.stringify(i.input)})` : '';
    return [`${path}: ${i.message}${got}`];
  });
}

/**
 * Validates a workload description; throws a WorkloadSpecError listing every problem with its
 * key path, prefixed by `where` (e.g. 'experiments/rate.yaml: workload').
 */
export function parseWorkloadSpec(input: unknown, where = 'workload'): WorkloadSpec {
  if (typeof input !== 'object' || input === null || (!('trace' in input) && !('synthetic' in input))) {
    throw new WorkloadSpecError(
      `${where}: expected an object with either 'trace' (a name or path) ` +
        `or 'synthetic' (arrivals, lengths, count/duration) and 'seed'`,
    );
  }
  const schema = 'trace' in input ? traceSchema : syntheticSchema;
  const r = schema.safeParse(input, { reportInput: true });
  if (!r.success) throw new WorkloadSpecError(describe(r.error.issues, where).join('\n'));
  // The schema checked every field; its inferred type only differs from WorkloadSpec in
  // spelling optional fields as `T | undefined`, which parsed data never holds.
  return r.data as unknown as WorkloadSpec;
}

export interface OpenWorkloadOptions {
  /** Where trace names are looked up, in order (default: `tracesDirs()`: data/traces, ../shared/traces). */
  readonly tracesDirs?: readonly string[];
  /** The prefix of error messages, naming where the spec came from. */
  readonly where?: string;
}

/** Turns a workload description into a request stream and its counters. */
export function openWorkload(spec: unknown, options: OpenWorkloadOptions = {}): StreamHandle {
  const where = options.where ?? 'workload';
  const w = parseWorkloadSpec(spec, where);
  const dirs = options.tracesDirs ?? defaultTracesDirs();
  try {
    if ('trace' in w) {
      const { trace, ...traceOptions } = w;
      return openTrace(resolveTrace(trace, dirs), traceOptions);
    }
    // Resolve a length file now, so that a missing one fails here rather than mid-experiment.
    const { lengths } = w.synthetic;
    const synthetic =
      lengths.kind === 'file'
        ? { ...w.synthetic, lengths: { ...lengths, file: resolveTrace(lengths.file, dirs) } }
        : w.synthetic;
    return syntheticStream(synthetic, w.seed, (file, maxRows) =>
      loadLengths(file, maxRows === undefined ? {} : { maxRows }),
    );
  } catch (e) {
    if (e instanceof TraceOptionsError) throw new WorkloadSpecError(`${where}: ${e.message}`);
    throw e;
  }
}
