import { type Llama3RopeScaling, type ModelConfig, ModelConfigError, type QuantScheme, validateModel } from './config.ts';

/**
 * A Hugging Face config.json of the Llama (model_type "llama": Llama 2, 3, 3.1, 3.2, 3.3) or
 * Qwen3 (model_type "qwen3", dense) families → ModelConfig. Defaults are those of
 * transformers' LlamaConfig / Qwen3Config for keys a config may omit. What the executors do
 * not implement (biases, other RoPE scalings, sliding windows, other activations) is refused
 * with the key named, rather than run wrong.
 */

const FAMILIES = ['llama', 'qwen3'] as const;
type Family = (typeof FAMILIES)[number];

/** Architectures (the config's `architectures`) each family's checkpoints are saved as. */
const ARCHITECTURES: Record<string, Family> = { LlamaForCausalLM: 'llama', Qwen3ForCausalLM: 'qwen3' };

type Json = Record<string, unknown>;

export function modelFromHfConfig(json: unknown, file: string, name: string): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelConfigError(`${file}: expected a JSON object`);
  const c = json as Json;
  const fail = (key: string, what: string): never => {
    throw new ModelConfigError(`${file}: ${key} ${what}`);
  };
  const family = familyOf(c, fail);
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (v === undefined) fail(key, 'is missing');
    if (!Number.isInteger(v) || (v as number) <= 0) fail(key, `must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  if (c.hidden_act !== undefined && c.hidden_act !== 'silu') fail('hidden_act', `is ${JSON.stringify(c.hidden_act)}; only "silu" (SwiGLU) is supported`);
  for (const key of ['attention_bias', 'mlp_bias', 'use_sliding_window']) {
    if (c[key] === true) fail(key, 'is true; not supported (no biases, full attention only)');
  }
  if (c.head_dim === undefined && hidden % heads !== 0) fail('head_dim', `is missing and hidden_size ${hidden} is not a multiple of num_attention_heads ${heads}`);
  const rope = ropeOf(c, fail);
  const model: ModelConfig = {
    name,
    layers: int('num_hidden_layers'),
    hidden,
    heads,
    kvHeads: int('num_key_value_heads', heads),
    headDim: int('head_dim', hidden / heads),
    mlp: int('intermediate_size'),
    vocab: int('vocab_size'),
    ropeTheta: rope.theta,
    ...(rope.scaling ? { ropeScaling: rope.scaling } : {}),
    rmsEps: positive(c, 'rms_norm_eps', 1e-6, fail),
    qkNorm: family === 'qwen3',
    tiedEmbeddings: bool(c, 'tie_word_embeddings', false, fail),
    quant: quantOf(c, fail),
    source: file,
  };
  try {
    return validateModel(model);
  } catch (e) {
    throw new ModelConfigError(`${file}: ${(e as Error).message}`);
  }
}

function familyOf(c: Json, fail: (key: string, what: string) => never): Family {
  if (typeof c.model_type === 'string') {
    const f = FAMILIES.find((x) => x === c.model_type);
    return f ?? fail('model_type', `is "${c.model_type}"; supported: ${FAMILIES.map((x) => `"${x}"`).join(', ')}`);
  }
  const arch = Array.isArray(c.architectures) ? c.architectures.find((a): a is string => typeof a === 'string' && a in ARCHITECTURES) : undefined;
  return arch ? ARCHITECTURES[arch]! : fail('model_type', `is missing and architectures names none of ${Object.keys(ARCHITECTURES).join(', ')}`);
}

/**
 * RoPE base and scaling. Older configs carry `rope_theta` and `rope_scaling` ({"rope_type" or
 * "type": "llama3", factor, low_freq_factor, high_freq_factor, original_max_position_embeddings});
 * transformers 5 writes both into `rope_parameters` (rope_type "default" = unscaled).
 */
function ropeOf(c: Json, fail: (key: string, what: string) => never): { theta: number; scaling?: Llama3RopeScaling } {
  const key = c.rope_parameters !== undefined && c.rope_parameters !== null ? 'rope_parameters' : 'rope_scaling';
  const raw = c[key];
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) fail(key, 'must be an object or null');
  const r = (raw ?? {}) as Json;
  const theta = c.rope_theta !== undefined ? positive(c, 'rope_theta', 10000, fail) : positive(r, `${key}.rope_theta`, 10000, fail, 'rope_theta');
  const type = r.rope_type ?? r.type ?? 'default';
  if (type === 'default') return { theta };
  if (type !== 'llama3') fail(`${key}.rope_type`, `is ${JSON.stringify(type)}; supported: "default", "llama3"`);
  const num = (k: string): number => positive(r, `${key}.${k}`, undefined, fail, k);
  return {
    theta,
    scaling: {
      type: 'llama3',
      factor: num('factor'),
      lowFreqFactor: num('low_freq_factor'),
      highFreqFactor: num('high_freq_factor'),
      originalMaxPositions: num('original_max_position_embeddings'),
    },
  };
}

/**
 * The FP8 scheme the cost model prices when this checkpoint runs with FP8 weights: block-scaled
 * when `quantization_config.weight_block_size` is given (Qwen3-32B-FP8: [128, 128]), else per
 * output channel (FP8-dynamic checkpoints, and the scheme vLLM applies to BF16 checkpoints served
 * with `--quantization fp8`). The executors compute in float32 and ignore it.
 */
function quantOf(c: Json, fail: (key: string, what: string) => never): QuantScheme {
  const q = c.quantization_config;
  if (q === undefined || q === null) return { kind: 'fp8-channel' };
  if (typeof q !== 'object' || Array.isArray(q)) return fail('quantization_config', 'must be an object');
  const block = (q as Json).weight_block_size;
  if (block === undefined || block === null) return { kind: 'fp8-channel' };
  if (!Array.isArray(block) || block.length !== 2 || block[0] !== block[1] || !Number.isInteger(block[0]) || (block[0] as number) <= 0) {
    return fail('quantization_config.weight_block_size', `must be two equal positive integers, got ${JSON.stringify(block)}`);
  }
  return { kind: 'fp8-block', block: block[0] as number };
}

function positive(obj: Json, path: string, fallback: number | undefined, fail: (key: string, what: string) => never, key = path): number {
  const v = obj[key] ?? fallback;
  if (v === undefined) fail(path, 'is missing');
  if (typeof v !== 'number' || !(v > 0)) fail(path, `must be a positive number, got ${JSON.stringify(v)}`);
  return v as number;
}

function bool(obj: Json, key: string, fallback: boolean, fail: (key: string, what: string) => never): boolean {
  const v = obj[key] ?? fallback;
  if (typeof v !== 'boolean') fail(key, `must be true or false, got ${JSON.stringify(v)}`);
  return v as boolean;
}
