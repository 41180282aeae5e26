import { z } from 'zod';
import { type KeyIssue, formatIssues } from '../util/issues.ts';
import { SimConfigError } from './errors.ts';

/**
 * Engine settings, named as vLLM's flags. Defaults are the paper's server settings
 * (shared/SHIFT.md "Experiment parameters"): --max-num-batched-tokens 131072, prefix caching
 * off, vLLM defaults otherwise.
 */
export const engineSettingsSchema = z
  .object({
    max_num_batched_tokens: z.number().int().positive().default(131072).describe('token budget of one iteration (paper: 131072)'),
    max_num_seqs: z.number().int().positive().default(1024).describe('sequences per iteration (vLLM default 1024)'),
    block_size: z.number().int().positive().default(16).describe('tokens per KV block (vLLM default 16)'),
    gpu_memory_utilization: z.number().positive().max(1).default(0.9).describe('fraction of GPU memory vLLM may use (0.9 in the paper’s vLLM)'),
    max_model_len: z.number().int().positive().default(131072).describe('longest prompt + output accepted; longer requests are rejected'),
    enable_prefix_caching: z.boolean().default(false).describe('reuse KV of equal prompt prefixes (needs hash ids in the trace; paper: off)'),
    prefix_block_tokens: z.number().int().positive().default(512).describe('tokens per prefix hash id in the trace (Mooncake: 512)'),
    cuda_graphs: z.boolean().default(true).describe('pad batches of ≤ 512 tokens to CUDA-graph capture sizes'),
    num_gpu_blocks_override: z.number().int().positive().optional().describe('KV blocks per engine regardless of memory (tests)'),
  })
  .strict();

export type EngineSettings = z.infer<typeof engineSettingsSchema>;

/** Defaults filled in; throws SimConfigError naming every bad key under `where`. */
export function resolveEngineSettings(input: unknown, where: readonly (string | number)[] = ['engine']): EngineSettings {
  const parsed = engineSettingsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues: KeyIssue[] = parsed.error.issues.map((i) => ({
    path: [...where, ...i.path.map((k) => (typeof k === 'symbol' ? String(k) : k))],
    message: i.message,
  }));
  throw new SimConfigError(formatIssues('engine settings', issues));
}
