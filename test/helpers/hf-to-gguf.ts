import { type GgufTensor, type GgufValue, writeGguf } from './gguf.ts';
import type { HfModel, HfTensor } from './hf-checkpoint.ts';

/**
 * Writes an HF Llama / Qwen3 checkpoint as GGUF the way llama.cpp's convert_hf_to_gguf.py does
 * with --outtype f32 (conversion/base.py TextModel, conversion/llama.py LlamaModel,
 * conversion/qwen.py Qwen3Model, gguf-py tensor_mapping), written afresh from reading it:
 *
 * - metadata: {arch}.block_count, context_length, embedding_length, feed_forward_length,
 *   attention.head_count(_kv), rope.freq_base, attention.layer_norm_rms_epsilon,
 *   attention.key_length / value_length when config.json has head_dim; Llama also vocab_size
 *   and rope.dimension_count.
 * - tensor names: model.embed_tokens → token_embd, model.layers.N.input_layernorm → blk.N.attn_norm,
 *   self_attn.{q,k,v,o}_proj → attn_{q,k,v,output}, self_attn.{q,k}_norm → attn_{q,k}_norm,
 *   post_attention_layernorm → ffn_norm, mlp.{gate,up,down}_proj → ffn_{gate,up,down},
 *   model.norm → output_norm, lm_head → output (absent when tied: llama.cpp reuses token_embd).
 * - shapes: a row-major [out, in] array is written with ggml dims [in, out], bytes unchanged.
 * - Llama only: q_proj and k_proj rows are permuted within each head, HF's rotate-half pairs
 *   (i, i + d/2) becoming adjacent rows (2i, 2i + 1), because llama.cpp's "llama" architecture
 *   rotates adjacent pairs (ROPE_TYPE_NORM). Qwen3 is rotated rotate-half (ROPE_TYPE_NEOX):
 *   no permutation.
 * - Llama 3 rope_scaling: a rope_freqs.weight tensor [d/2] of per-pair divisors of the frequency
 *   (1 for short wavelengths, factor for long ones, blended between).
 *
 * The tokenizer is not part of these test checkpoints; token ids are fed directly, so a
 * placeholder SentencePiece vocabulary of the right size stands in for it.
 */
export function writeHfAsGguf(model: HfModel, file: string): void {
  const c = model.config;
  const arch = c.model_type as 'llama' | 'qwen3';
  const num = (key: string): number => c[key] as number;
  const heads = num('num_attention_heads');
  const kvHeads = num('num_key_value_heads');
  const headDim = (c.head_dim as number | undefined) ?? num('hidden_size') / heads;
  const meta = new Map<string, GgufValue>();
  const u32 = (key: string, value: number): void => void meta.set(key, { type: 'u32', value });
  const f32 = (key: string, value: number): void => void meta.set(key, { type: 'f32', value });
  meta.set('general.architecture', { type: 'string', value: arch });
  u32(`${arch}.block_count`, num('num_hidden_layers'));
  u32(`${arch}.context_length`, num('max_position_embeddings'));
  u32(`${arch}.embedding_length`, num('hidden_size'));
  u32(`${arch}.feed_forward_length`, num('intermediate_size'));
  u32(`${arch}.attention.head_count`, heads);
  u32(`${arch}.attention.head_count_kv`, kvHeads);
  f32(`${arch}.rope.freq_base`, num('rope_theta'));
  f32(`${arch}.attention.layer_norm_rms_epsilon`, num('rms_norm_eps'));
  if (c.head_dim !== undefined) {
    u32(`${arch}.attention.key_length`, headDim);
    u32(`${arch}.attention.value_length`, headDim);
  }
  if (arch === 'llama') {
    u32('llama.vocab_size', num('vocab_size'));
    u32('llama.rope.dimension_count', headDim);
  }
  u32('general.file_type', 0); // all F32
  for (const [k, v] of placeholderVocab(num('vocab_size'))) meta.set(k, v);

  const tensors: GgufTensor[] = [];
  for (const [name, t] of model.tensors) {
    let data = t.data;
    if (arch === 'llama' && name.endsWith('.self_attn.q_proj.weight')) data = pairAdjacent(t, heads);
    if (arch === 'llama' && name.endsWith('.self_attn.k_proj.weight')) data = pairAdjacent(t, kvHeads);
    tensors.push({ name: ggufName(name), dims: [...t.shape].reverse(), data });
  }
  const scaling = c.rope_scaling as Record<string, number | string> | null;
  if (arch === 'llama' && scaling?.rope_type === 'llama3') {
    const factors = llama3RopeFactors(num('rope_theta'), headDim, scaling as Record<string, number>);
    tensors.push({ name: 'rope_freqs.weight', dims: [factors.length], data: factors });
  }
  writeGguf(file, meta, tensors);
}

function ggufName(hf: string): string {
  const fixed: Record<string, string> = {
    'model.embed_tokens.weight': 'token_embd.weight',
    'model.norm.weight': 'output_norm.weight',
    'lm_head.weight': 'output.weight',
  };
  if (fixed[hf]) return fixed[hf];
  const m = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(hf);
  const layer: Record<string, string> = {
    input_layernorm: 'attn_norm',
    'self_attn.q_proj': 'attn_q',
    'self_attn.k_proj': 'attn_k',
    'self_attn.v_proj': 'attn_v',
    'self_attn.o_proj': 'attn_output',
    'self_attn.q_norm': 'attn_q_norm',
    'self_attn.k_norm': 'attn_k_norm',
    post_attention_layernorm: 'ffn_norm',
    'mlp.gate_proj': 'ffn_gate',
    'mlp.up_proj': 'ffn_up',
    'mlp.down_proj': 'ffn_down',
  };
  const g = m ? layer[m[2]!] : undefined;
  if (!m || !g) throw new Error(`hf-to-gguf: no GGUF name for ${hf}`);
  return `blk.${m[1]}.${g}.weight`;
}

/** Rows [n·d, in]: within each head, row s·d/2 + j moves to row 2j + s (s = 0, 1; j < d/2). */
function pairAdjacent(t: HfTensor, n: number): Float32Array {
  const [rows, cols] = t.shape as [number, number];
  const d = rows / n;
  const out = new Float32Array(t.data.length);
  for (let h = 0; h < n; h++) {
    for (let s = 0; s < 2; s++) {
      for (let j = 0; j < d / 2; j++) {
        const from = h * d + s * (d / 2) + j;
        const to = h * d + 2 * j + s;
        out.set(t.data.subarray(from * cols, (from + 1) * cols), to * cols);
      }
    }
  }
  return out;
}

/**
 * The converter's rope_freqs: per pair i, with f = base^(−2i/d) (float32) and wavelength 2π/f,
 * 1 when the wavelength is below original / high_freq_factor, `factor` above
 * original / low_freq_factor, else 1 / ((1 − smooth) / factor + smooth) with
 * smooth = (original / wavelength − low) / (high − low). llama.cpp divides each frequency by it.
 */
function llama3RopeFactors(base: number, d: number, r: Record<string, number>): Float32Array {
  const { factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: original } = r as Record<string, number>;
  return Float32Array.from({ length: d / 2 }, (_, i) => {
    const freq = Math.fround(1 / Math.fround(base ** Math.fround((2 * i) / d)));
    const wavelength = (2 * Math.PI) / freq;
    if (wavelength < original! / high!) return 1;
    if (wavelength > original! / low!) return factor!;
    const smooth = (original! / wavelength - low!) / (high! - low!);
    return 1 / ((1 - smooth) / factor! + smooth);
  });
}

/**
 * A SentencePiece-style vocabulary of `size` entries (unknown, BOS, EOS, the 256 byte tokens
 * llama.cpp's SPM tokenizer expects, then plain pieces): the model's token ids are used as
 * they are, never tokenized from text.
 */
function placeholderVocab(size: number): [string, GgufValue][] {
  const CONTROL = 3, NORMAL = 1, UNKNOWN = 2, BYTE = 6;
  const piece = (i: number): string => {
    if (i < 3) return ['<unk>', '<s>', '</s>'][i]!;
    if (i < 259) return `<0x${(i - 3).toString(16).toUpperCase().padStart(2, '0')}>`;
    return `\u2581t${i}`;
  };
  const type = (i: number): number => (i === 0 ? UNKNOWN : i < 3 ? CONTROL : i < 259 ? BYTE : NORMAL);
  if (size < 259) throw new Error(`hf-to-gguf: a vocabulary of ${size} cannot hold the 259 SentencePiece specials and bytes`);
  return [
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'strings', value: Array.from({ length: size }, (_, i) => piece(i)) }],
    ['tokenizer.ggml.scores', { type: 'f32s', value: Array.from({ length: size }, (_, i) => -i) }],
    ['tokenizer.ggml.token_type', { type: 'i32s', value: Array.from({ length: size }, (_, i) => type(i)) }],
  ];
}
