/**
 * The shape of a Llama-style decoder: GQA attention with RoPE, RMSNorm, SwiGLU MLP.
 *
 * Dimension letters used in shape comments across the code base:
 *   N  tokens scheduled in one iteration (all sequences, concatenated)
 *   Np N padded up to a multiple of s (sequence parallelism)
 *   B  sequences that sample a token this iteration
 *   H  hidden size            F  MLP (intermediate) size      V  vocabulary
 *   h  query heads            g  KV heads ("groups")           d  head dim
 *   P  ranks                  s  SP degree                     t  TP degree (s·t = P)
 */
export interface ModelConfig {
  readonly name: string;
  readonly layers: number;
  readonly hidden: number; // H
  readonly heads: number; // h
  readonly kvHeads: number; // g
  readonly headDim: number; // d
  readonly mlp: number; // F
  readonly vocab: number; // V
  readonly ropeTheta: number;
  /** Llama 3's RoPE frequency scaling (HF `rope_scaling` with rope_type "llama3"); absent: none. */
  readonly ropeScaling?: Llama3RopeScaling;
  readonly rmsEps: number;
  /** Qwen3 normalises q and k per head (RMSNorm over d) before RoPE. */
  readonly qkNorm: boolean;
  /** The LM head shares the embedding matrix (HF `tie_word_embeddings`): lm_head = embedᵀ. */
  readonly tiedEmbeddings: boolean;
  /** How the checkpoint served with FP8 weights is quantized (ignored when weights run in BF16). */
  readonly quant: QuantScheme;
  /** Where the numbers come from (a Hugging Face config.json), or 'test'. */
  readonly source: string;
}

/**
 * Llama 3's rescaling of the RoPE inverse frequencies (HF transformers
 * `_compute_llama3_parameters`; the numbers of Llama-3.1/3.3 are factor 8, low 1, high 4,
 * original 8192): wavelengths above originalMaxPositions / lowFreqFactor are stretched by
 * `factor`, those below originalMaxPositions / highFreqFactor kept, the band between blended.
 */
export interface Llama3RopeScaling {
  readonly type: 'llama3';
  readonly factor: number;
  readonly lowFreqFactor: number;
  readonly highFreqFactor: number;
  readonly originalMaxPositions: number;
}

/**
 * The FP8 checkpoint's quantization scheme, as vLLM runs it (the cost model prices it):
 *   fp8-channel  FP8 weights with one scale per output channel; activations quantized per token
 *                at run time (compressed-tensors "FP8-dynamic"): one quantization kernel per GEMM
 *                input, then a per-channel-scaled FP8 GEMM (CUTLASS scaled_mm).
 *   fp8-block    FP8 weights in block × block tiles with a scale each; activations quantized per
 *                token in groups of `block` columns (DeepSeek-V3 style): one quantization kernel
 *                per GEMM input, then a block-scaled GEMM, much slower at small M.
 */
export type QuantScheme = { readonly kind: 'fp8-channel' } | { readonly kind: 'fp8-block'; readonly block: number };

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

/** Checks the internal consistency of a config; throws naming the offending numbers. */
export function validateModel(m: ModelConfig): ModelConfig {
  const positive = ['layers', 'hidden', 'heads', 'kvHeads', 'headDim', 'mlp', 'vocab'] as const;
  for (const k of positive) {
    if (!Number.isInteger(m[k]) || m[k] <= 0) {
      throw new ModelConfigError(`model '${m.name}': ${k} must be a positive integer, got ${m[k]}`);
    }
  }
  if (m.heads % m.kvHeads !== 0) {
    throw new ModelConfigError(
      `model '${m.name}': query heads (${m.heads}) must be a multiple of KV heads (${m.kvHeads})`,
    );
  }
  if (m.headDim % 2 !== 0) {
    throw new ModelConfigError(`model '${m.name}': head dim ${m.headDim} must be even for RoPE`);
  }
  for (const k of ['ropeTheta', 'rmsEps'] as const) {
    if (!(m[k] > 0)) throw new ModelConfigError(`model '${m.name}': ${k} must be positive, got ${m[k]}`);
  }
  if (m.ropeScaling) validateRopeScaling(m.name, m.ropeScaling);
  if (m.quant.kind === 'fp8-block' && !(Number.isInteger(m.quant.block) && m.quant.block > 0)) {
    throw new ModelConfigError(`model '${m.name}': quant.block must be a positive integer, got ${m.quant.block}`);
  }
  return m;
}

function validateRopeScaling(name: string, r: Llama3RopeScaling): void {
  const bad = (what: string): never => {
    throw new ModelConfigError(`model '${name}': Llama 3 RoPE scaling ${what}`);
  };
  if (!(r.factor > 0)) bad(`factor must be positive, got ${r.factor}`);
  if (!(r.lowFreqFactor > 0)) bad(`lowFreqFactor must be positive, got ${r.lowFreqFactor}`);
  // Equal factors (Llama 4) leave no band to blend; a smaller high factor has no meaning.
  if (!(r.highFreqFactor >= r.lowFreqFactor)) bad(`highFreqFactor (${r.highFreqFactor}) must be at least lowFreqFactor (${r.lowFreqFactor})`);
  if (!(r.originalMaxPositions > 0)) bad(`originalMaxPositions must be positive, got ${r.originalMaxPositions}`);
}
