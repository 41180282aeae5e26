import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../../src/util/rng.ts';

/**
 * Small Hugging Face checkpoints written by the tests themselves (no hub downloads): seeded
 * tensors under transformers' names and layouts (Linear weights [out, in]), a config.json, and
 * the safetensors files, in one file or in shards with model.safetensors.index.json.
 */

export type Dtype = 'F32' | 'F16' | 'BF16';

export interface HfTensor {
  readonly shape: readonly number[];
  /** Values already representable in the checkpoint's dtype, so every reader sees them exactly. */
  readonly data: Float32Array;
}

export interface HfModel {
  readonly config: Record<string, unknown>;
  readonly tensors: ReadonlyMap<string, HfTensor>;
}

export interface TinySpec {
  readonly family: 'llama' | 'qwen3';
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  /** Written as head_dim (Qwen3 always has it; it may differ from hidden / heads). */
  readonly headDim?: number;
  readonly mlp: number;
  readonly vocab: number;
  readonly ropeTheta: number;
  readonly rmsEps: number;
  readonly tied: boolean;
  /** Written as rope_scaling {rope_type: "llama3", …}. */
  readonly llama3Scaling?: { factor: number; low_freq_factor: number; high_freq_factor: number; original_max_position_embeddings: number };
  readonly dtype: Dtype;
  readonly seed: number;
}

/**
 * A seeded model in HF layout: linear ~ N(0, 1/in), norm gains 1 + N(0, 0.1²), embedding
 * ~ N(0, 1/H) (so the first norms see a mean square of 1/H, where eps matters). Qwen3's q and k
 * projections are 10× smaller, so that its q/k norm divides a mean square of ~0.01 and its eps
 * shows too.
 */
export function tinyHfModel(s: TinySpec): HfModel {
  const d = s.headDim ?? s.hidden / s.heads;
  const config: Record<string, unknown> = {
    architectures: [s.family === 'llama' ? 'LlamaForCausalLM' : 'Qwen3ForCausalLM'],
    model_type: s.family,
    hidden_size: s.hidden,
    intermediate_size: s.mlp,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    ...(s.headDim !== undefined ? { head_dim: s.headDim } : {}),
    hidden_act: 'silu',
    max_position_embeddings: 2048,
    rms_norm_eps: s.rmsEps,
    rope_theta: s.ropeTheta,
    rope_scaling: s.llama3Scaling ? { rope_type: 'llama3', ...s.llama3Scaling } : null,
    tie_word_embeddings: s.tied,
    vocab_size: s.vocab,
    torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[s.dtype],
    attention_bias: false,
  };
  const tensors = new Map<string, HfTensor>();
  const rng = new Rng(`hf:${s.seed}`);
  const make = (name: string, shape: number[], kind: 'gain' | 'linear' | 'embed' | 'small'): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    const std = kind === 'gain' ? 0.1 : kind === 'embed' ? 1 / Math.sqrt(s.hidden) : (kind === 'small' ? 0.1 : 1) / Math.sqrt(shape[1]!);
    const data = Float32Array.from({ length: n }, () => roundTo(s.dtype, (kind === 'gain' ? 1 : 0) + std * rng.normal()));
    tensors.set(name, { shape, data });
  };
  make('model.embed_tokens.weight', [s.vocab, s.hidden], 'embed');
  for (let l = 0; l < s.layers; l++) {
    const p = `model.layers.${l}.`;
    make(`${p}input_layernorm.weight`, [s.hidden], 'gain');
    const qk = s.family === 'qwen3' ? 'small' : 'linear';
    make(`${p}self_attn.q_proj.weight`, [s.heads * d, s.hidden], qk);
    make(`${p}self_attn.k_proj.weight`, [s.kvHeads * d, s.hidden], qk);
    make(`${p}self_attn.v_proj.weight`, [s.kvHeads * d, s.hidden], 'linear');
    make(`${p}self_attn.o_proj.weight`, [s.hidden, s.heads * d], 'linear');
    if (s.family === 'qwen3') {
      make(`${p}self_attn.q_norm.weight`, [d], 'gain');
      make(`${p}self_attn.k_norm.weight`, [d], 'gain');
    }
    make(`${p}post_attention_layernorm.weight`, [s.hidden], 'gain');
    make(`${p}mlp.gate_proj.weight`, [s.mlp, s.hidden], 'linear');
    make(`${p}mlp.up_proj.weight`, [s.mlp, s.hidden], 'linear');
    make(`${p}mlp.down_proj.weight`, [s.hidden, s.mlp], 'linear');
  }
  make('model.norm.weight', [s.hidden], 'gain');
  if (!s.tied) make('lm_head.weight', [s.vocab, s.hidden], 'linear');
  return { config, tensors };
}

/** Writes config.json and the tensors as `shards` safetensors files (1: model.safetensors). */
export function writeCheckpoint(dir: string, model: HfModel, dtype: Dtype, shards = 1): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(model.config, null, 2));
  const names = [...model.tensors.keys()];
  if (shards === 1) {
    writeSafetensors(path.join(dir, 'model.safetensors'), names.map((n) => [n, model.tensors.get(n)!]), dtype);
    return;
  }
  // Tensors dealt round-robin over the shards, so every shard holds parts of every layer.
  const files = Array.from({ length: shards }, (_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`);
  const weightMap: Record<string, string> = {};
  files.forEach((file, i) => {
    const mine = names.filter((_, k) => k % shards === i);
    for (const n of mine) weightMap[n] = file;
    writeSafetensors(path.join(dir, file), mine.map((n) => [n, model.tensors.get(n)!]), dtype);
  });
  writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2));
}

/** One safetensors file: header length (u64 LE), JSON header, then the tensors back to back. */
function writeSafetensors(file: string, tensors: readonly (readonly [string, HfTensor])[], dtype: Dtype): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = encode(dtype, t.data);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  // The format pads the header with spaces to a multiple of 8 bytes.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([length, Buffer.from(json, 'utf8'), ...blobs]));
}

/** The nearest value of `dtype` (F16: normal range and subnormals; BF16: round half to even). */
function roundTo(dtype: Dtype, v: number): number {
  if (dtype === 'F32') return Math.fround(v);
  if (dtype === 'BF16') return bf16Value(bf16Bits(v));
  if (v === 0) return 0;
  // binary16: 11 significant bits, exponent ≥ −14 (below that, subnormal steps of 2^−24).
  const e = Math.max(Math.floor(Math.log2(Math.abs(v))), -14);
  const step = 2 ** (e - 10);
  return Math.round(v / step) * step;
}

function encode(dtype: Dtype, data: Float32Array): Buffer {
  const size = dtype === 'F32' ? 4 : 2;
  const out = Buffer.alloc(data.length * size);
  data.forEach((v, i) => {
    if (dtype === 'F32') out.writeFloatLE(v, 4 * i);
    else out.writeUInt16LE(dtype === 'BF16' ? bf16Bits(v) : halfBits(v), 2 * i);
  });
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function bf16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

function bf16Value(bits: number): number {
  u32[0] = bits << 16;
  return f32[0]!;
}

/** binary16 bits of a value it represents exactly (roundTo('F16', ·) output). */
function halfBits(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  return sign | ((e + 15) << 10) | Math.round((a / 2 ** e - 1) * 1024);
}
