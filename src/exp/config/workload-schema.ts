import { z } from 'zod';
import { TRACE_FORMATS } from '../../traces/rows.ts';

/**
 * The `workloads:` entries of an experiment config. Keys are snake_case like the rest of the
 * file; `toWorkloadSpec` (resolve.ts) maps them onto the trace layer's WorkloadSpec.
 */
const seconds = z.number().min(0);
const positive = z.number().positive();
const tokens = z.number().int().min(0);
const range = z.tuple([tokens, tokens]).refine(([lo, hi]) => lo <= hi, { message: 'expected [lo, hi] with lo <= hi' });

const arrivals = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('poisson'), rate: positive.describe('requests per second') }),
    z.strictObject({
      kind: z.literal('gamma'),
      rate: positive.describe('requests per second'),
      cv: positive.optional().describe('coefficient of variation of the gaps (1 = Poisson)'),
      burstiness: positive.optional().describe("vLLM's burstiness: the gamma shape (= 1/cv²); give cv or burstiness"),
    }),
    z.strictObject({ kind: z.literal('constant'), rate: positive.describe('requests per second, evenly spaced') }),
    z.strictObject({ kind: z.literal('saturate') }).describe('every request at t = 0 (needs count)'),
    z.strictObject({
      kind: z.literal('bursts'),
      base_rate: seconds.describe('steady Poisson rate under the bursts (0: none)'),
      bursts: z
        .union([
          z.array(z.strictObject({ at: seconds, size: z.number().int().positive(), duration: seconds.optional() })).min(1),
          z.strictObject({ count: z.number().int().positive(), size: z.number().int().positive(), first: seconds, period: positive, duration: seconds.optional() }),
        ])
        .describe('a list of {at, size, duration?} or periodic {count, size, first, period, duration?}'),
    }),
  ])
  .describe('arrival process: kind poisson | gamma | constant | saturate | bursts');

const lengths = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('fixed'), input: tokens.describe('prompt tokens'), output: tokens.describe('output tokens (EOS ignored)') }),
    z.strictObject({ kind: z.literal('uniform'), input: range.describe('[lo, hi] prompt tokens'), output: range.describe('[lo, hi] output tokens') }),
    z.strictObject({
      kind: z.literal('file'),
      file: z.string().min(1).describe('a length file or trace: catalog name (sharegpt-lengths, ...) or path'),
      max_rows: z.number().int().positive().optional().describe('read at most this many rows'),
    }),
  ])
  .describe('request lengths: kind fixed | uniform | file');

const common = {
  name: z.string().min(1).describe('names the workload in results, plots and point params (unique)'),
  optional: z.boolean().default(false).describe('skip with a note (instead of failing) when the trace file is missing'),
  max_in_flight: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('expected bound on requests in flight (e.g. 1 for one-at-a-time latency); the report flags runs that exceed it'),
  seed: z.union([z.number(), z.string()]).optional().describe('seed of a synthetic workload; default: the config seed and the workload name'),
};

export const traceWorkloadSchema = z.strictObject({
  ...common,
  trace: z.string().min(1).describe('catalog name (azure-code, azure-conv, mooncake-conversation, ...) or a path relative to the config'),
  format: z.enum(TRACE_FORMATS as [string, ...string[]]).optional().describe('force the file format (default: detected)'),
  window: z
    .strictObject({
      start: seconds.optional().describe('seconds after the first row (default 0)'),
      duration: positive.optional().describe('seconds (default: to the end)'),
    })
    .optional()
    .describe('keep rows with start <= t < start + duration, in trace time'),
  zero_at: z.enum(['first', 'window']).optional().describe("arrival 0 at the first request kept (default) or at the window start"),
  time_scale: positive.optional().describe('multiplies inter-arrival times: 0.5 replays at twice the rate (default 1)'),
  max_requests: z.number().int().positive().optional().describe('cap: at most this many requests'),
  spread_steps: seconds.optional().describe('spread requests sharing a timestamp over this many seconds (Mooncake: 3)'),
  drop_hash_ids: z.boolean().optional().describe('ignore prefix-block hashes (no prefix reuse)'),
  skip_bad_rows: z.boolean().optional().describe('count and skip malformed rows instead of failing'),
});

export const syntheticWorkloadSchema = z.strictObject({
  ...common,
  synthetic: z
    .strictObject({
      arrivals,
      lengths,
      count: z.number().int().positive().optional().describe('stop after this many requests'),
      duration: positive.optional().describe('stop at the first arrival at or after this many seconds'),
    })
    .describe('a generated workload: arrivals, lengths, and count and/or duration'),
});

export const workloadSchema = z.union([traceWorkloadSchema, syntheticWorkloadSchema]).describe("a trace replay ('trace: ...') or a synthetic workload ('synthetic: ...')");

export type WorkloadConfig = z.output<typeof workloadSchema>;
