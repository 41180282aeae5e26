import { z } from 'zod';
import { engineSettingsSchema } from '../../sim/index.ts';
import { defaultPolicies, strategyNames } from '../../strategies/registry.ts';
import { experimentSchema, policySpecSchema } from './schema.ts';

/**
 * The `search:` section of a config: the space of deployments and policies, the range of arrival
 * rates bisected, and the SLO a rate must meet. A config with a `search:` section has exactly
 * one workload (its arrival rate is the search variable) and no `systems` (the space makes them).
 */
const positive = z.number().positive();

/** Engine keys a search may vary, each a list of values (validated by the engine's own schema). */
const ENGINE_KEYS = ['max_num_batched_tokens', 'max_num_seqs'] as const;
export type SearchEngineKey = (typeof ENGINE_KEYS)[number];

const engineSpace = z
  .strictObject(Object.fromEntries(ENGINE_KEYS.map((k) => [k, z.array(engineSettingsSchema.shape[k].unwrap()).min(1).optional().describe(`values of ${k} tried (default: the top-level engine's)`)])) as Record<SearchEngineKey, z.ZodOptional<z.ZodArray<z.ZodNumber>>>)
  .describe('engine settings varied: each a list of values; every combination is tried');

const layout = z.strictObject({ sp: z.number().int().positive(), tp: z.number().int().positive() });

export const searchSloSchema = z
  .strictObject({
    ttft_p99_ms: positive.optional().describe('p99 TTFT (ms) at most this'),
    tpot_p99_ms: positive.optional().describe('p99 TPOT (ms) at most this'),
    goodput: z
      .strictObject({
        ttft_ms: positive.describe('a request is good if its TTFT is at most this ...'),
        tpot_ms: positive.describe('... and its TPOT at most this'),
        min_fraction: z.number().gt(0).max(1).describe('at least this fraction of the requests (rejected ones count as bad) must be good'),
      })
      .optional()
      .describe('goodput target: per-request latency targets and the fraction that must meet them'),
  })
  .refine((s) => s.ttft_p99_ms !== undefined || s.tpot_p99_ms !== undefined || s.goodput !== undefined, { message: 'state at least one target: ttft_p99_ms, tpot_p99_ms or goodput' })
  .describe('what a rate must meet to count (all stated targets; a rejected request always fails it)');

export const rateSchema = z
  .strictObject({
    min: positive.describe('lowest arrival rate tried (requests/s); a candidate failing here has capacity 0'),
    max: positive.describe('highest arrival rate tried; a candidate meeting the SLO here is reported as ≥ max'),
    tolerance: z.number().gt(0).max(1).default(0.05).describe('bisection stops when the bracket [pass, fail] satisfies fail ≤ pass × (1 + tolerance): the capacity is within this relative error below the true one'),
    reference: positive.describe('the reference load (requests/s) at which every candidate\'s latencies are reported and compared'),
  })
  .refine((r) => r.min < r.max, { message: 'expected min < max' })
  .describe('arrival rates: a synthetic workload\'s arrivals rate, or a trace replayed at this mean rate (its inter-arrival times scaled)');

export const searchSchema = z
  .strictObject({
    world: z.number().int().positive().optional().describe("GPUs of every candidate; default: the hardware profile's GPUs per node"),
    strategies: z
      .array(z.enum(strategyNames() as [string, ...string[]]))
      .min(1, 'the search space is empty: list at least one strategy')
      .default(strategyNames())
      .describe('strategies tried (default: every strategy of the registry), each with every (s, t) layout it accepts with s·t = world'),
    layouts: z.array(layout).min(1, 'the search space is empty: list at least one layout').optional().describe('restrict to these (sp, tp) layouts (default: every s·t = world)'),
    policies: z.array(policySpecSchema).min(1, 'the search space is empty: list at least one policy').optional().describe(`switching policies tried on strategies with several modes (default: each strategy's own, ${defaultPolicies()})`),
    engine: engineSpace.prefault({}),
    rate: rateSchema,
    slo: searchSloSchema,
    curves: z.number().int().min(1).max(10).default(3).describe('capacity curves drawn for this many best candidates'),
  })
  .describe('a search for the deployment and policy with the highest capacity (rate meeting the SLO)');

export type SearchConfig = z.output<typeof searchSchema>;
export type SearchSlo = z.output<typeof searchSloSchema>;
export type RateConfig = z.output<typeof rateSchema>;

/** The whole search config: an experiment's top level without systems, sweep, compare and slo, plus `search`. */
export const searchTopSchema = experimentSchema.omit({ systems: true, sweep: true, compare: true, slo: true }).extend({
  workloads: z.array(z.unknown()).length(1, 'a search has exactly one workload (its arrival rate is what the search varies)').describe('exactly one workload'),
  search: searchSchema,
});
