import { type ModelConfig, ModelConfigError, validateModel } from './config.ts';

/**
 * The `rope_scaling` of Llama-3.1-8B and Llama-3.3-70B-Instruct (their config.json:
 * rope_type "llama3", factor 8.0, low_freq_factor 1.0, high_freq_factor 4.0,
 * original_max_position_embeddings 8192).
 */
const LLAMA3_ROPE_SCALING = { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } as const;

/**
 * Real configs (numbers from each model's Hugging Face config.json, as listed in
 * shared/CALIBRATION.md §6 and shared/SHIFT.md) and small test models of the same structure.
 * `quant` is the scheme of the FP8 checkpoint the paper serves (shared/calibration/
 * measurements.yaml): Llama-3.3-70B-Instruct-FP8-dynamic is per-channel with dynamic per-token
 * activations; Qwen3-32B-FP8 is 128×128 block-scaled with per-token-group activations.
 */
const CHANNEL = { kind: 'fp8-channel' } as const;
const BLOCK_128 = { kind: 'fp8-block', block: 128 } as const;
const MODELS: readonly ModelConfig[] = [
  {
    name: 'llama-3.3-70b', layers: 80, hidden: 8192, heads: 64, kvHeads: 8, headDim: 128,
    mlp: 28672, vocab: 128256, ropeTheta: 500000, rmsEps: 1e-5, qkNorm: false,
    tiedEmbeddings: false, ropeScaling: LLAMA3_ROPE_SCALING, quant: CHANNEL, source: 'meta-llama/Llama-3.3-70B-Instruct config.json',
  },
  {
    name: 'qwen3-32b', layers: 64, hidden: 5120, heads: 64, kvHeads: 8, headDim: 128,
    mlp: 25600, vocab: 151936, ropeTheta: 1000000, rmsEps: 1e-6, qkNorm: true,
    tiedEmbeddings: false, quant: BLOCK_128, source: 'Qwen/Qwen3-32B config.json',
  },
  {
    name: 'llama-3.1-8b', layers: 32, hidden: 4096, heads: 32, kvHeads: 8, headDim: 128,
    mlp: 14336, vocab: 128256, ropeTheta: 500000, rmsEps: 1e-5, qkNorm: false,
    tiedEmbeddings: false, ropeScaling: LLAMA3_ROPE_SCALING, quant: CHANNEL, source: 'meta-llama/Llama-3.1-8B config.json',
  },
  // Test models. `tiny` is the contract of the executor tests (issue 2).
  {
    name: 'tiny', layers: 2, hidden: 128, heads: 8, kvHeads: 2, headDim: 16, mlp: 256, vocab: 512,
    ropeTheta: 10000, rmsEps: 1e-5, qkNorm: false, tiedEmbeddings: false, quant: CHANNEL, source: 'test',
  },
  {
    name: 'tiny-mha', layers: 2, hidden: 128, heads: 8, kvHeads: 8, headDim: 16, mlp: 256,
    vocab: 512, ropeTheta: 10000, rmsEps: 1e-5, qkNorm: false, tiedEmbeddings: false, quant: CHANNEL, source: 'test',
  },
  {
    name: 'tiny-qwen', layers: 2, hidden: 128, heads: 8, kvHeads: 4, headDim: 16, mlp: 192,
    vocab: 384, ropeTheta: 1000000, rmsEps: 1e-6, qkNorm: true, tiedEmbeddings: false, quant: BLOCK_128, source: 'test',
  },
  {
    name: 'small', layers: 4, hidden: 512, heads: 16, kvHeads: 4, headDim: 32, mlp: 1408,
    vocab: 2048, ropeTheta: 500000, rmsEps: 1e-5, qkNorm: false, tiedEmbeddings: false, quant: CHANNEL, source: 'test',
  },
].map(validateModel);

export function modelNames(): string[] {
  return MODELS.map((m) => m.name);
}

export function allModels(): readonly ModelConfig[] {
  return MODELS;
}

export function getModel(name: string): ModelConfig {
  const m = MODELS.find((x) => x.name === name);
  if (!m) {
    throw new ModelConfigError(`unknown model '${name}'; known models: ${modelNames().join(', ')}`);
  }
  return m;
}
