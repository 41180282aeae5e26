import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from './config.ts';
import { modelFromHfConfig } from './hf-config.ts';
import { CheckpointError, SafetensorsFile, type TensorEntry } from './safetensors.ts';
import { type HostTensor, type WeightSource, transpose, weightNames, weightShape } from './weights.ts';

/**
 * The weights of a Hugging Face checkpoint directory (config.json and model.safetensors, or the
 * shards named by model.safetensors.index.json) of the Llama or Qwen3 family, F32, F16 or BF16.
 *
 * HF stores a Linear weight [out, in] (y = x · Wᵀ); the project stores [in, out]. So a
 * column-parallel shard (project columns) is a run of whole HF rows, contiguous bytes, and a
 * row-parallel shard (project rows) is a column range of every HF row: one read per HF row.
 * Either way only the shard's bytes are read.
 */

const INDEX = 'model.safetensors.index.json';
const SINGLE = 'model.safetensors';

export class CheckpointWeights implements WeightSource {
  readonly model: ModelConfig;
  private readonly files = new Map<string, SafetensorsFile>();
  /** HF tensor name → file name, for sharded checkpoints. */
  private readonly weightMap: ReadonlyMap<string, string> | null;

  /** Opens the directory and checks every tensor the model needs (name, shape, dtype). */
  constructor(readonly dir: string) {
    const configFile = path.join(dir, 'config.json');
    this.model = modelFromHfConfig(readJson(configFile), configFile, path.basename(path.resolve(dir)));
    this.weightMap = readWeightMap(dir);
    try {
      for (const name of weightNames(this.model)) this.locate(name);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  tensor(name: string): HostTensor {
    const { file, entry, transposed } = this.locate(name);
    const data = new Float32Array(entry.shape.reduce((a, b) => a * b, 1));
    file.read(entry.name, 0, data.length, data);
    const t = { shape: entry.shape, data };
    return transposed ? transpose(t) : t;
  }

  columns(name: string, cols: readonly number[]): HostTensor {
    const { file, entry, transposed } = this.locate(name);
    return transposed ? transpose(readRows(file, entry, cols)) : readColumns(file, entry, cols);
  }

  rows(name: string, rows: readonly number[]): HostTensor {
    const { file, entry, transposed } = this.locate(name);
    return transposed ? transpose(readColumns(file, entry, rows)) : readRows(file, entry, rows);
  }

  /** Tensor bytes read from the files so far. */
  bytesRead(): number {
    return [...this.files.values()].reduce((a, f) => a + f.bytesRead, 0);
  }

  close(): void {
    for (const f of this.files.values()) f.close();
    this.files.clear();
  }

  private locate(name: string): { file: SafetensorsFile; entry: TensorEntry; transposed: boolean } {
    const { hf, transposed } = hfTensor(this.model, name);
    const fileName = this.weightMap ? this.weightMap.get(hf) : SINGLE;
    if (fileName === undefined) {
      const hint = name === 'lm_head' ? ' (config.json does not set tie_word_embeddings)' : '';
      throw new CheckpointError(`${path.join(this.dir, INDEX)}: weight_map has no '${hf}'${hint}`);
    }
    const file = this.file(fileName);
    if (!file.tensors.has(hf)) {
      const hint = name === 'lm_head' ? '; config.json does not set tie_word_embeddings' : '';
      throw new CheckpointError(`${file.path} has no tensor '${hf}'${hint}`);
    }
    const entry = file.entry(hf);
    const project = weightShape(this.model, name);
    const expected = transposed ? [...project].reverse() : project;
    if (entry.shape.join() !== expected.join()) {
      throw new CheckpointError(`${file.path}: tensor '${hf}' is [${entry.shape.join(', ')}]; config.json implies [${expected.join(', ')}]`);
    }
    if (!['F32', 'F16', 'BF16'].includes(entry.dtype)) {
      throw new CheckpointError(`${file.path}: tensor '${hf}' is ${entry.dtype}; supported: F32, F16, BF16`);
    }
    return { file, entry, transposed };
  }

  private file(name: string): SafetensorsFile {
    let f = this.files.get(name);
    if (!f) {
      const full = path.join(this.dir, name);
      if (!existsSync(full)) throw new CheckpointError(`${full} does not exist${this.weightMap ? ` (named in ${INDEX})` : ''}`);
      f = new SafetensorsFile(full);
      this.files.set(name, f);
    }
    return f;
  }
}

/**
 * The HF name of a project weight (transformers' LlamaForCausalLM / Qwen3ForCausalLM state
 * dict) and whether it is a Linear weight, stored transposed. With tied embeddings the LM head
 * is the embedding matrix [V, H], read transposed.
 */
function hfTensor(m: ModelConfig, name: string): { hf: string; transposed: boolean } {
  if (name === 'embed') return { hf: 'model.embed_tokens.weight', transposed: false };
  if (name === 'lm_head') return { hf: m.tiedEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight', transposed: true };
  if (name === 'final_norm') return { hf: 'model.norm.weight', transposed: false };
  const match = /^layer\.(\d+)\.(\w+)$/.exec(name);
  const hf = match ? LAYER_TENSORS[match[2]!] : undefined;
  if (!match || !hf) throw new CheckpointError(`no checkpoint tensor for weight '${name}'`);
  return { hf: `model.layers.${match[1]}.${hf}`, transposed: hf.endsWith('_proj.weight') };
}

const LAYER_TENSORS: Record<string, string> = {
  attn_norm: 'input_layernorm.weight',
  wq: 'self_attn.q_proj.weight',
  wk: 'self_attn.k_proj.weight',
  wv: 'self_attn.v_proj.weight',
  wo: 'self_attn.o_proj.weight',
  q_norm: 'self_attn.q_norm.weight',
  k_norm: 'self_attn.k_norm.weight',
  mlp_norm: 'post_attention_layernorm.weight',
  w_gate: 'mlp.gate_proj.weight',
  w_up: 'mlp.up_proj.weight',
  w_down: 'mlp.down_proj.weight',
};

/** Rows `rows` (in order) of a stored [R, C] tensor: one read per run of consecutive rows. */
function readRows(file: SafetensorsFile, e: TensorEntry, rows: readonly number[]): HostTensor {
  const [R, C] = e.shape as [number, number];
  const out = new Float32Array(rows.length * C);
  for (const run of runs(rows, R, e.name)) file.read(e.name, run.start * C, run.count * C, out, run.at * C);
  return { shape: [rows.length, C], data: out };
}

/** Columns `cols` (in order) of a stored [R, C] tensor: one read per row and run of consecutive columns. */
function readColumns(file: SafetensorsFile, e: TensorEntry, cols: readonly number[]): HostTensor {
  const [R, C] = e.shape as [number, number];
  const n = cols.length;
  const out = new Float32Array(R * n);
  const spans = runs(cols, C, e.name);
  for (let r = 0; r < R; r++) {
    for (const run of spans) file.read(e.name, r * C + run.start, run.count, out, r * n + run.at);
  }
  return { shape: [R, n], data: out };
}

/** Maximal runs of consecutive indices: index idx[at + k] = start + k for k < count. */
function runs(idx: readonly number[], limit: number, tensor: string): { start: number; count: number; at: number }[] {
  const out: { start: number; count: number; at: number }[] = [];
  idx.forEach((i, at) => {
    if (!Number.isInteger(i) || i < 0 || i >= limit) throw new CheckpointError(`index ${i} is outside [0, ${limit}) of tensor '${tensor}'`);
    const last = out[out.length - 1];
    if (last && last.start + last.count === i) last.count++;
    else out.push({ start: i, count: 1, at });
  });
  return out;
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new CheckpointError(`${file} does not exist: a Hugging Face checkpoint directory holds config.json and model.safetensors (or ${INDEX} and its shards)`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** The index's tensor → shard map, or null for a single-file checkpoint. */
function readWeightMap(dir: string): ReadonlyMap<string, string> | null {
  const index = path.join(dir, INDEX);
  if (!existsSync(index)) {
    if (!existsSync(path.join(dir, SINGLE))) throw new CheckpointError(`${dir} has neither ${SINGLE} nor ${INDEX}`);
    return null;
  }
  const json = readJson(index);
  const map = typeof json === 'object' && json !== null ? (json as { weight_map?: unknown }).weight_map : undefined;
  if (typeof map !== 'object' || map === null || Object.values(map).some((f) => typeof f !== 'string')) {
    throw new CheckpointError(`${index}: weight_map must be an object of tensor name → shard file name`);
  }
  return new Map(Object.entries(map as Record<string, string>));
}
