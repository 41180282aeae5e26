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
 *       "m_granularity": 64,             rows per tensor-core instruction (M is padded to it)
 *       "fp8_block": { "k_step_s": 4.8e-7, "tile_k": 128, "flops": 525e12 }   optional: block-scaled
 *                                        FP8 GEMM kernel (see gemm.ts); absent: priced as per-channel
 *     },
 *     "kernel_floor_s": 3e-6,                         optional: no kernel (GEMM, norm, collective,
 *                                                     attention, ...) takes less; absent: no floor
 *     "attention": {
 *       "peak_flops": 989.4e12,                        BF16 tensor cores
 *       "efficiency_by_context": [[512, 0.295], …]     causal prefill, (context, fraction), ascending
 *     },
 *     "collectives": [                                 NCCL-style α–β, one entry per algorithm
 *       { "algorithm": "ring", "kinds": ["all_reduce", …], "alpha_s": 19.2e-6,
 *         "bus_bytes_per_s": 370e9, "max_bytes": 8388608 }          max_bytes optional
 *     ],
 *     "engine": {                                      CPU time per iteration, and per request
 *       "iteration_s": 1.8e-3, "per_seq_s": 14.5e-6,
 *       "per_worker_s": 1e-4,                          optional: per GPU worker beyond the first of
 *                                                      an engine (scheduler output broadcast)
 *       "frontend_s": 0.02                             optional: per request, outside the GPU
 *     },                                               timeline (HTTP, tokenizing, streaming)
 *     "sources": { "hbm.efficiency": "te42kyfo/gpu-benches …" },   optional provenance
 *     "calibration": { … }                             optional: written by `yarn calibrate fit`
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

/** Block-scaled FP8 GEMM kernel: seconds per K step of one tile, K step, full-machine FLOP/s. */
export interface BlockFp8Kernel {
  readonly k_step_s: number;
  readonly tile_k: number;
  readonly flops: number;
}

/** One constant `yarn calibrate fit` chose: where it lives, its prior and bounds, the fitted value. */
export interface FittedConstant {
  readonly key: string;
  readonly prior: number;
  readonly lower: number;
  readonly upper: number;
  readonly value: number;
  readonly source: string;
  /** 'software' constants carry over to profiles derived from this one (other GPUs of the node type). */
  readonly scope: 'software' | 'hardware';
}

/** How a profile was calibrated (written by `yarn calibrate fit`). */
export interface CalibrationProvenance {
  readonly command: string;
  /** The measurements file and the points fitted (ids). */
  readonly measurements: string;
  readonly fit_points: readonly string[];
  readonly constants: readonly FittedConstant[];
  /** Mean absolute percentage error on the fitted points, and leave-one-out. */
  readonly train_mape: number;
  readonly loo_mape: number;
  readonly optimizer: string;
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
    readonly fp8_block?: BlockFp8Kernel;
  };
  /** No kernel takes less than this (absent: no floor). */
  readonly kernel_floor_s?: number;
  readonly attention: { readonly peak_flops: number; readonly efficiency_by_context: readonly (readonly [number, number])[] };
  readonly collectives: readonly CollectiveAlgorithm[];
  readonly engine: {
    readonly iteration_s: number;
    readonly per_seq_s: number;
    /** Per GPU worker of an engine beyond the first (absent: 0). */
    readonly per_worker_s?: number;
    /** Per request, added to TTFT and E2E, not to the GPU timeline (absent: 0). */
    readonly frontend_s?: number;
  };
  readonly sources?: Readonly<Record<string, string>>;
  readonly calibration?: CalibrationProvenance;
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
        fp8_block: z.object({ k_step_s: positive, tile_k: z.number().int().positive(), flops: positive }).strict().optional(),
      })
      .strict(),
    kernel_floor_s: z.number().nonnegative().optional(),
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
    engine: z
      .object({
        iteration_s: z.number().nonnegative(),
        per_seq_s: z.number().nonnegative(),
        per_worker_s: z.number().nonnegative().optional(),
        frontend_s: z.number().nonnegative().optional(),
      })
      .strict(),
    sources: z.record(z.string(), z.string()).optional(),
    calibration: z
      .object({
        command: z.string(),
        measurements: z.string(),
        fit_points: z.array(z.string()),
        constants: z.array(
          z
            .object({ key: z.string(), prior: z.number(), lower: z.number(), upper: z.number(), value: z.number(), source: z.string(), scope: z.enum(['software', 'hardware']) })
            .strict(),
        ),
        train_mape: z.number().nonnegative(),
        loo_mape: z.number().nonnegative(),
        optimizer: z.string(),
      })
      .strict()
      .optional(),
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
