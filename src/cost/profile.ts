import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CollectiveKind } from '../ops/trace.ts';
import { type KeyIssue, formatIssues } from '../util/issues.ts';

/**
 * A hardware profile: what the cost model knows about one GPU of a node and its interconnect.
 * Built-in profiles live in src/cost/profiles/ with the source of every number; a profile can
 * also be read from JSON (e.g. one written by `yarn calibrate` with measured efficiencies).
 *
 * JSON schema (version 1; units are SI: bytes, seconds, FLOP/s, bytes/s):
 *   {
 *     "version": 1,
 *     "name": "h200",
 *     "description": "…",                             optional
 *     "gpus_per_node": 8,
 *     "memory_bytes": 141e9,                           HBM capacity of one GPU
 *     "hbm": { "bytes_per_s": 4.8e12, "efficiency": 0.81 },   peak and achievable fraction
 *     "gemm": {
 *       "bf16": { "peak_flops": 989.4e12, "max_efficiency": 0.803 },
 *       "fp8":  { "peak_flops": 1978.9e12, "max_efficiency": 0.734 },
 *       "sms": 132,                      streaming multiprocessors (one output tile each per wave)
 *       "tile_m": 128, "tile_n": 128,    output tile of the GEMM kernels
 *       "m_granularity": 64              rows per tensor-core instruction (M is padded to it)
 *     },
 *     "attention": {
 *       "peak_flops": 989.4e12,                        BF16 tensor cores
 *       "efficiency_by_context": [[512, 0.295], …]     causal prefill, (context, fraction), ascending
 *     },
 *     "collectives": [                                 NCCL-style α–β, one entry per algorithm
 *       { "algorithm": "ring", "kinds": ["all_reduce", …], "alpha_s": 19.2e-6,
 *         "bus_bytes_per_s": 370e9, "max_bytes": 8388608 }          max_bytes optional
 *     ],
 *     "engine": { "iteration_s": 1.8e-3, "per_seq_s": 14.5e-6 },   CPU time per iteration
 *     "sources": { "hbm.efficiency": "te42kyfo/gpu-benches …" }    optional provenance
 *   }
 */
export interface DtypeCompute {
  readonly peak_flops: number;
  readonly max_efficiency: number;
}

export interface CollectiveAlgorithm {
  readonly algorithm: string;
  readonly kinds: readonly CollectiveKind[];
  readonly alpha_s: number;
  readonly bus_bytes_per_s: number;
  /** The algorithm is only used for messages up to this many bytes (per rank input). */
  readonly max_bytes?: number;
}

export interface HardwareProfile {
  readonly version: 1;
  readonly name: string;
  readonly description?: string;
  readonly gpus_per_node: number;
  readonly memory_bytes: number;
  readonly hbm: { readonly bytes_per_s: number; readonly efficiency: number };
  readonly gemm: {
    readonly bf16: DtypeCompute;
    readonly fp8: DtypeCompute;
    readonly sms: number;
    readonly tile_m: number;
    readonly tile_n: number;
    readonly m_granularity: number;
  };
  readonly attention: { readonly peak_flops: number; readonly efficiency_by_context: readonly (readonly [number, number])[] };
  readonly collectives: readonly CollectiveAlgorithm[];
  readonly engine: { readonly iteration_s: number; readonly per_seq_s: number };
  readonly sources?: Readonly<Record<string, string>>;
}

const positive = z.number().positive();
const fraction = z.number().positive().max(1);
const dtype = z.object({ peak_flops: positive, max_efficiency: fraction }).strict();
const kinds = z.enum(['all_reduce', 'all_gather', 'all_to_all', 'reduce_scatter']);

export const profileSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    gpus_per_node: z.number().int().positive(),
    memory_bytes: positive,
    hbm: z.object({ bytes_per_s: positive, efficiency: fraction }).strict(),
    gemm: z
      .object({
        bf16: dtype,
        fp8: dtype,
        sms: z.number().int().positive(),
        tile_m: z.number().int().positive(),
        tile_n: z.number().int().positive(),
        m_granularity: z.number().int().positive(),
      })
      .strict(),
    attention: z
      .object({
        peak_flops: positive,
        efficiency_by_context: z
          .array(z.tuple([positive, fraction]))
          .min(1)
          .refine((xs) => xs.every((x, i) => i === 0 || x[0] > xs[i - 1]![0]), { message: 'contexts must be strictly ascending' }),
      })
      .strict(),
    collectives: z
      .array(
        z
          .object({
            algorithm: z.string().min(1),
            kinds: z.array(kinds).min(1),
            alpha_s: z.number().nonnegative(),
            bus_bytes_per_s: positive,
            max_bytes: positive.optional(),
          })
          .strict(),
      )
      .min(1)
      .superRefine((algorithms, ctx) => {
        // Every collective kind a strategy records needs an algorithm for any message size.
        for (const kind of kinds.options) {
          if (!algorithms.some((c) => c.kinds.includes(kind) && c.max_bytes === undefined)) {
            ctx.addIssue({ code: 'custom', message: `no algorithm without max_bytes covers '${kind}'` });
          }
        }
      }),
    engine: z.object({ iteration_s: z.number().nonnegative(), per_seq_s: z.number().nonnegative() }).strict(),
    sources: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

/** Validates a parsed JSON profile; throws ProfileError listing every problem by key path. */
export function parseProfile(json: unknown, where = 'hardware profile'): HardwareProfile {
  const parsed = profileSchema.safeParse(json);
  if (parsed.success) return parsed.data as HardwareProfile;
  const issues: KeyIssue[] = parsed.error.issues.map((i) => ({
    path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)),
    message: i.message,
  }));
  throw new ProfileError(formatIssues(where, issues));
}

/** Reads and validates a JSON profile file. */
export function loadProfileFile(file: string): HardwareProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ProfileError(`hardware profile ${file}: cannot read it (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`hardware profile ${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseProfile(json, `hardware profile ${file}`);
}
