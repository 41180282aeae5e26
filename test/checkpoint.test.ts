import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tpShard } from '../src/kv/heads.ts';
import { getModel } from '../src/model/catalog.ts';
import { CheckpointWeights } from '../src/model/checkpoint.ts';
import { ModelConfigError } from '../src/model/config.ts';
import { modelFromHfConfig } from '../src/model/hf-config.ts';
import { CheckpointError, SafetensorsFile } from '../src/model/safetensors.ts';
import { SeededWeights } from '../src/model/weights.ts';
import { type ModelShard, MissingWeightError, endWeight, loadShard } from '../src/strategies/shard.ts';
import type { RankContext } from '../src/strategies/types.ts';
import { Rng } from '../src/util/rng.ts';
import { type HfModel, type TinySpec, tinyHfModel, writeCheckpoint } from './helpers/hf-checkpoint.ts';

const root = mkdtempSync(path.join(tmpdir(), 'shiftlab-checkpoint-'));
let dirs = 0;
const freshDir = (): string => path.join(root, `c${dirs++}`);

/** A safetensors file written byte by byte, independent of the test helper's writer. */
function handWritten(file: string, header: object, data: Buffer): void {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([length, json, data]));
}

function u16s(...bits: number[]): Buffer {
  const b = Buffer.alloc(2 * bits.length);
  bits.forEach((v, i) => b.writeUInt16LE(v, 2 * i));
  return b;
}

function throwsNaming(fn: () => unknown, cls: new (...a: never[]) => Error, ...parts: string[]): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, cls);
    for (const p of parts) assert.ok((e as Error).message.includes(p), `message '${(e as Error).message}' should name '${p}'`);
    return;
  }
  assert.unreachable(`expected a ${cls.name} naming ${parts.join(', ')}`);
}

// --- safetensors ----------------------------------------------------------------------------------

const st = suite('safetensors reader');

st('F16, BF16 and F32 elements decode to the values their bits denote', () => {
  const file = path.join(root, 'bits.safetensors');
  // binary16: 0x3C00 = 1; 0xC000 = −2; 0x3555 = 2^(13−15)·(1 + 341/1024) = 0.333251953125;
  // 0x0001 = 2^−24 (smallest subnormal); 0x7BFF = 2^15·(1 + 1023/1024) = 65504; 0xFC00 = −∞.
  const f16 = u16s(0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0xfc00);
  // bfloat16 = the top 16 bits of a float32: 0x3F80 = 1; 0x4049 → 0x40490000 = 3.140625;
  // 0xBF00 → 0xBF000000 = −0.5; 0x0000 = 0.
  const bf16 = u16s(0x3f80, 0x4049, 0xbf00, 0x0000);
  const f32 = Buffer.alloc(8);
  f32.writeFloatLE(1.5, 0);
  f32.writeFloatLE(-0.1, 4);
  handWritten(file, {
    __metadata__: { format: 'pt' },
    h: { dtype: 'F16', shape: [6], data_offsets: [0, 12] },
    b: { dtype: 'BF16', shape: [2, 2], data_offsets: [12, 20] },
    f: { dtype: 'F32', shape: [2], data_offsets: [20, 28] },
  }, Buffer.concat([f16, bf16, f32]));
  const r = new SafetensorsFile(file);
  try {
    const read = (name: string, start: number, count: number): number[] => {
      const out = new Float32Array(count);
      r.read(name, start, count, out);
      return [...out];
    };
    assert.equal(read('h', 0, 6), [1, -2, 0.333251953125, 2 ** -24, 65504, -Infinity]);
    assert.equal(read('b', 0, 4), [1, 3.140625, -0.5, 0]);
    assert.equal(read('f', 0, 2), [1.5, Math.fround(-0.1)]);
    assert.equal(read('b', 1, 2), [3.140625, -0.5]);
    assert.equal(r.tensors.get('b')!.shape, [2, 2]);
    assert.is(r.bytesRead, 12 + 8 + 8 + 4);
  } finally {
    r.close();
  }
});

st('corrupt files are refused naming the file and what is wrong', () => {
  const file = path.join(root, 'bad.safetensors');
  writeFileSync(file, Buffer.from([1, 2, 3]));
  throwsNaming(() => new SafetensorsFile(file), CheckpointError, file, 'not a safetensors file (3 bytes)');
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(1000n);
  writeFileSync(file, huge);
  throwsNaming(() => new SafetensorsFile(file), CheckpointError, file, 'header length 1000 in a file of 16 bytes');
  const json = Buffer.from('{"a": ', 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json]));
  throwsNaming(() => new SafetensorsFile(file), CheckpointError, file, 'header is not JSON');
  handWritten(file, { w: { dtype: 'F16', shape: [4], data_offsets: [0, 6] } }, Buffer.alloc(8));
  throwsNaming(() => new SafetensorsFile(file), CheckpointError, file, "tensor 'w' F16 [4] has data_offsets [0, 6]");
  handWritten(file, { ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, Buffer.alloc(8));
  const r = new SafetensorsFile(file);
  try {
    throwsNaming(() => r.read('ids', 0, 1, new Float32Array(1)), CheckpointError, file, "tensor 'ids' has dtype I64");
    throwsNaming(() => r.read('nope', 0, 1, new Float32Array(1)), CheckpointError, file, "has no tensor 'nope'");
  } finally {
    r.close();
  }
});

st.run();

// --- config.json --------------------------------------------------------------------------------

const cfg = suite('config.json');
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/hf-configs/${name}.json`, import.meta.url), 'utf8'));

cfg('the published configs of Llama-3.1-8B and Qwen3-32B give the catalog entries', () => {
  for (const name of ['llama-3.1-8b', 'qwen3-32b']) {
    // quant: the fixtures are the BF16 releases; the catalog names the FP8 checkpoints' scheme (next test).
    const { name: _n, source: _s, quant: _q, ...parsed } = modelFromHfConfig(fixture(name), `${name}.json`, name);
    const { name: _cn, source: _cs, quant: _cq, ...catalog } = getModel(name);
    assert.equal(parsed, catalog, name);
  }
});

cfg('quantization_config: Qwen3-32B-FP8 is block-scaled 128×128 like the catalog; no block size is per-channel', () => {
  // Qwen/Qwen3-32B-FP8 config.json: {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic",
  // "weight_block_size": [128, 128]}; the catalog prices that checkpoint (shared/calibration/measurements.yaml).
  const fp8 = { ...(fixture('qwen3-32b') as object), quantization_config: { quant_method: 'fp8', fmt: 'e4m3', activation_scheme: 'dynamic', weight_block_size: [128, 128] } };
  assert.equal(modelFromHfConfig(fp8, 'config.json', 'q').quant, getModel('qwen3-32b').quant);
  assert.equal(modelFromHfConfig(fixture('llama-3.1-8b'), 'config.json', 'l').quant, { kind: 'fp8-channel' });
  const bad = { ...(fixture('qwen3-32b') as object), quantization_config: { weight_block_size: [128, 64] } };
  assert.throws(() => modelFromHfConfig(bad, 'config.json', 'q'), /config\.json: quantization_config\.weight_block_size must be two equal positive integers/);
});

cfg('Llama-3.2-3B: tied embeddings, head_dim, RoPE scaling factor 32', () => {
  const m = modelFromHfConfig(fixture('llama-3.2-3b'), 'config.json', 'llama-3.2-3b');
  assert.is(m.tiedEmbeddings, true);
  assert.is(m.headDim, 128);
  assert.is(m.qkNorm, false);
  assert.equal(m.ropeScaling, { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
});

cfg("transformers 5's rope_parameters carry theta and scaling", () => {
  const c = fixture('llama-3.1-8b') as Record<string, unknown>;
  const { rope_theta: _t, rope_scaling: scaling, ...rest } = c;
  const m = modelFromHfConfig({ ...rest, rope_parameters: { ...(scaling as object), rope_theta: 500000 } }, 'config.json', 'x');
  assert.is(m.ropeTheta, 500000);
  assert.is(m.ropeScaling?.factor, 8);
  const plain = modelFromHfConfig({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 1000 } }, 'config.json', 'x');
  assert.is(plain.ropeTheta, 1000);
  assert.is(plain.ropeScaling, undefined);
});

cfg('what the executors do not implement is refused naming the file and key', () => {
  const base = fixture('llama-3.1-8b') as Record<string, unknown>;
  const refuse = (change: Record<string, unknown>, ...parts: string[]): void =>
    throwsNaming(() => modelFromHfConfig({ ...base, ...change }, 'ckpt/config.json', 'x'), ModelConfigError, 'ckpt/config.json', ...parts);
  refuse({ model_type: 'qwen3_moe' }, 'model_type is "qwen3_moe"; supported: "llama", "qwen3"');
  refuse({ rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'rope_scaling.rope_type is "yarn"');
  refuse({ rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'rope_scaling.low_freq_factor is missing');
  refuse({ attention_bias: true }, 'attention_bias is true');
  refuse({ hidden_act: 'gelu' }, 'hidden_act is "gelu"');
  refuse({ hidden_size: undefined }, 'hidden_size is missing');
  refuse({ num_key_value_heads: 5 }, 'query heads (32) must be a multiple of KV heads (5)');
  refuse({ rms_norm_eps: -1 }, 'rms_norm_eps must be a positive number, got -1');
  refuse({ tie_word_embeddings: 'yes' }, 'tie_word_embeddings must be true or false');
});

cfg.run();

// --- checkpoint weights -------------------------------------------------------------------------

const ck = suite('checkpoint weights');
const SPEC: TinySpec = { family: 'qwen3', layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, mlp: 128, vocab: 320, ropeTheta: 1e6, rmsEps: 1e-6, tied: false, dtype: 'BF16', seed: 9 };

function written(spec: TinySpec, shards: number): { dir: string; hf: HfModel } {
  const dir = freshDir();
  const hf = tinyHfModel(spec);
  writeCheckpoint(dir, hf, spec.dtype, shards);
  return { dir, hf };
}

/** Rows `rows` of an HF [R, C] tensor, transposed: the project layout [C, rows.length]. */
function hfRowsTransposed(t: HfModel['tensors'] extends ReadonlyMap<string, infer V> ? V : never, rows: readonly number[]): number[] {
  const C = t.shape[1]!;
  const out: number[] = [];
  for (let c = 0; c < C; c++) for (const r of rows) out.push(t.data[r * C + c]!);
  return out;
}

ck('shards equal the HF tensors sliced and transposed, over random head and row choices', () => {
  const { dir, hf } = written(SPEC, 3);
  const w = new CheckpointWeights(dir);
  const rng = new Rng('checkpoint-shards');
  try {
    for (let trial = 0; trial < 20; trial++) {
      const l = rng.int(0, 2);
      // Project wq [H, h·d] columns = HF q_proj [h·d, H] rows, in the order asked (repeats allowed).
      const cols = Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 64));
      const q = hf.tensors.get(`model.layers.${l}.self_attn.q_proj.weight`)!;
      assert.equal([...w.columns(`layer.${l}.wq`, cols).data], hfRowsTransposed(q, cols), `wq columns ${cols}`);
      // Project w_down [F, H] rows = HF down_proj [H, F] columns: row r of the shard is column r.
      const rows = Array.from({ length: rng.int(1, 40) }, () => rng.int(0, 128));
      const down = hf.tensors.get(`model.layers.${l}.mlp.down_proj.weight`)!;
      const want = rows.flatMap((r) => Array.from({ length: 64 }, (_, h) => down.data[h * 128 + r]!));
      assert.equal([...w.rows(`layer.${l}.w_down`, rows).data], want, `w_down rows ${rows}`);
    }
    assert.equal([...w.tensor('embed').data], [...hf.tensors.get('model.embed_tokens.weight')!.data]);
    assert.equal([...w.tensor('layer.1.k_norm').data], [...hf.tensors.get('model.layers.1.self_attn.k_norm.weight')!.data]);
  } finally {
    w.close();
  }
});

ck('tied embeddings: the LM head is the embedding matrix, transposed', () => {
  const { dir, hf } = written({ ...SPEC, tied: true, dtype: 'F16' }, 1);
  const w = new CheckpointWeights(dir);
  try {
    const vocab = [0, 5, 319];
    assert.equal([...w.columns('lm_head', vocab).data], hfRowsTransposed(hf.tensors.get('model.embed_tokens.weight')!, vocab));
  } finally {
    w.close();
  }
});

ck('each TP rank reads only its shard (byte count by hand), and together the ranks read each weight once', () => {
  const { headDim: _d, ...rest } = SPEC;
  const { dir } = written({ ...rest, family: 'llama' }, 2);
  // Per rank of n = 2, BF16 = 2 bytes, H 64, h 4, g 2, d 16, F 128, V 320, 2 layers:
  //   embed V·H = 20480 (replicated) + final norm 64 + LM head H·V/2 = 10240
  //   + per layer: 2 norms 128 + QKV H·(h + 2g)·d/2 = 4096 + O (h·d/2)·H = 2048
  //     + gate|up 2·H·F/2 = 8192 + down (F/2)·H = 4096 → 18560, two layers 37120
  //   = 67904 elements = 135808 bytes.
  const perRank: number[] = [];
  for (let p = 0; p < 2; p++) {
    const weights = new CheckpointWeights(dir);
    try {
      const ctx = { model: weights.model, weights, ops: { weight: (_: readonly number[], fill: () => Float32Array) => fill() } };
      loadShard(ctx as unknown as RankContext<Float32Array, unknown>, 2, p, tpShard(weights.model, 2, p));
      perRank.push(weights.bytesRead());
    } finally {
      weights.close();
    }
  }
  assert.equal(perRank, [135808, 135808]);
  // Whole model: 2 · (V·H · 2 [embed, LM head] + 64 + 2·(128 + H·(h + 2g)·d + h·d·H + 3·H·F)) bytes
  // = 2 · (40960 + 64 + 2·(128 + 8192 + 4096 + 24576)) = 2 · 115008 = 230016; the ranks read it
  // once plus one extra copy of what is replicated (embedding and norms: 20480 + 64 + 2·128 =
  // 20800 elements, 41600 bytes).
  assert.is(perRank[0]! + perRank[1]!, 230016 + 41600);
});

ck('a rank loading a layer range reads only those layers, the embedding only if the range starts the model, the final norm and LM head only if it ends it', () => {
  const { headDim: _d, ...rest } = SPEC;
  const { dir } = written({ ...rest, family: 'llama' }, 1);
  const readFor = (range: { start: number; end: number }): { bytes: number; shard: ModelShard<Float32Array> } => {
    const weights = new CheckpointWeights(dir);
    try {
      const ctx = { model: weights.model, weights, ops: { weight: (_: readonly number[], fill: () => Float32Array) => fill() } };
      const shard = loadShard(ctx as unknown as RankContext<Float32Array, unknown>, 2, 0, tpShard(weights.model, 2, 0), range);
      return { bytes: weights.bytesRead(), shard };
    } finally {
      weights.close();
    }
  };
  // The llama spec of the next test, position 0 of 2. One layer: norms 2·64 + half of
  // (8192 + 4096 + 24576) = 18560 elements; embed V·H = 20480; final norm 64 + half the LM head 10240.
  // BF16: layer 1 of 2 (the last stage) 2 · (18560 + 64 + 10240) = 57728 bytes; layer 0 (the
  // first) 2 · (20480 + 18560) = 78080 bytes; both layers 135808 (see below).
  const last = readFor({ start: 1, end: 2 });
  assert.is(last.shard.layers.length, 1);
  assert.is(last.bytes, 57728);
  assert.is(last.shard.embed, null);
  throwsNaming(() => endWeight(last.shard, 'embed'), MissingWeightError, 'layers [1, 2)', 'does not start the model');
  const first = readFor({ start: 0, end: 1 });
  assert.is(first.bytes, 78080);
  assert.is(first.shard.lmHead, null);
  throwsNaming(() => endWeight(first.shard, 'lmHead'), MissingWeightError, 'layers [0, 1)', 'does not end the model');
});

ck('a broken checkpoint is refused naming the file and the tensor or key', () => {
  const { dir } = written(SPEC, 1);
  const config = path.join(dir, 'config.json');
  const original = readFileSync(config, 'utf8');
  const withConfig = (change: Record<string, unknown>, ...parts: string[]): void => {
    writeFileSync(config, JSON.stringify({ ...JSON.parse(original), ...change }));
    throwsNaming(() => new CheckpointWeights(dir), CheckpointError, ...parts);
    writeFileSync(config, original);
  };
  withConfig({ intermediate_size: 96 }, path.join(dir, 'model.safetensors'), "'model.layers.0.mlp.gate_proj.weight' is [128, 64]; config.json implies [96, 64]");
  const untied = written({ ...SPEC, tied: true }, 1).dir;
  const cfgFile = path.join(untied, 'config.json');
  writeFileSync(cfgFile, JSON.stringify({ ...JSON.parse(readFileSync(cfgFile, 'utf8')), tie_word_embeddings: false }));
  throwsNaming(() => new CheckpointWeights(untied), CheckpointError, "has no tensor 'lm_head.weight'; config.json does not set tie_word_embeddings");
  const sharded = written(SPEC, 2).dir;
  unlinkSync(path.join(sharded, 'model-00002-of-00002.safetensors'));
  throwsNaming(() => new CheckpointWeights(sharded), CheckpointError, path.join(sharded, 'model-00002-of-00002.safetensors'), 'does not exist (named in model.safetensors.index.json)');
  const empty = freshDir();
  mkdirSync(empty);
  throwsNaming(() => new CheckpointWeights(empty), CheckpointError, path.join(empty, 'config.json'), 'does not exist');
  writeFileSync(path.join(empty, 'config.json'), original);
  throwsNaming(() => new CheckpointWeights(empty), CheckpointError, empty, 'has neither model.safetensors nor model.safetensors.index.json');
});

ck('seeded weights of a tied model: LM head column v is embedding row v, logits stay O(1)', () => {
  const m = { ...getModel('tiny'), tiedEmbeddings: true };
  const w = new SeededWeights(m, 3);
  const embed = w.tensor('embed');
  const head = w.columns('lm_head', [0, 7, 511]);
  for (const [j, v] of [0, 7, 511].entries()) {
    for (let h = 0; h < m.hidden; h++) assert.is(head.data[h * 3 + j], embed.data[v * m.hidden + h], `token ${v}, dim ${h}`);
  }
  // N(0, 1/H) rows: |row|² ≈ 1, so a normalised hidden state (|x|² ≈ H) gives logits ~ N(0, 1).
  const norm2 = Array.from({ length: m.vocab }, (_, v) => embed.data.subarray(v * m.hidden, (v + 1) * m.hidden).reduce((a, x) => a + x * x, 0));
  const mean = norm2.reduce((a, b) => a + b, 0) / m.vocab;
  assert.ok(Math.abs(mean - 1) < 0.05, `mean squared row norm ${mean}`);
});

ck.after(() => rmSync(root, { recursive: true, force: true }));
ck.run();
