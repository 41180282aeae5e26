import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createWorkerExecutor } from '../src/exec/worker-executor.ts';
import { CudaError, CudaUnavailableError, addonPath, cudaStatus, formatVersion, loadAddon } from '../src/ops/cuda-addon.ts';
import { fromBf16, roundToBf16, toBf16 } from '../src/ops/cuda-bf16.ts';
import { ATTENTION_HEAD_DIMS, planAttention, planGemm } from '../src/ops/cuda-plan.ts';
import { createCudaOps } from '../src/ops/cuda.ts';
import { type AttentionBatch, OpsError } from '../src/ops/types.ts';
import { Rng } from '../src/util/rng.ts';

/**
 * The host side of the cuda backend, on any machine: bf16 conversion, the launch planners,
 * the build script's failure modes, and the addon's behaviour without a device (it loads, and
 * says why nothing can run, naming the CUDA error). GPU tests are the test/gpu-*.test.ts files.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

// --- bf16 -----------------------------------------------------------------------------------

const bits = (x: number): number => toBf16(Float32Array.of(x))[0]!;
const f32 = (u: number): number => new Float32Array(Uint32Array.of(u).buffer)[0]!;

test('toBf16 rounds to nearest, ties to even', () => {
  assert.is(bits(1), 0x3f80);
  assert.is(bits(f32(0x3f808000)), 0x3f80, 'tie below an even mantissa stays');
  assert.is(bits(f32(0x3f818000)), 0x3f82, 'tie above an odd mantissa rounds up');
  assert.is(bits(f32(0x3f808001)), 0x3f81, 'just past the tie rounds up');
  assert.is(bits(f32(0x3f807fff)), 0x3f80, 'just below the tie rounds down');
  assert.is(bits(-0), 0x8000);
  assert.is(bits(-2.5), 0xc020);
  assert.is(bits(f32(0x00000001)), 0x0000, 'the smallest subnormal rounds to 0');
});

test('toBf16 keeps NaN and infinities; overflow past the largest bf16 becomes Infinity', () => {
  assert.ok(Number.isNaN(fromBf16(toBf16(Float32Array.of(NaN)))[0]!));
  assert.ok(Number.isNaN(fromBf16(toBf16(Float32Array.of(f32(0x7f800001))))[0]!), 'a signalling NaN stays NaN');
  assert.is(bits(Infinity), 0x7f80);
  assert.is(bits(-Infinity), 0xff80);
  assert.is(bits(f32(0x7f7fffff)), 0x7f80, 'float32 max rounds up to Infinity');
  assert.is(bits(f32(0x7f7f7fff)), 0x7f7f, 'below the tie stays the largest finite bf16');
});

test('every bf16 value (but NaN) survives fromBf16 → toBf16; roundToBf16 is idempotent', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const back = toBf16(fromBf16(all));
  for (let i = 0; i < 65536; i++) {
    if ((i & 0x7fff) > 0x7f80) continue; // NaNs
    assert.is(back[i], i, `0x${i.toString(16)}`);
  }
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 20) - 10));
  assert.equal([...roundToBf16(roundToBf16(x))], [...roundToBf16(x)]);
  x.forEach((v, i) => assert.ok(Math.abs(roundToBf16(x)[i]! - v) <= Math.abs(v) * 2 ** -8, `${v}`));
});

test('toBf16 honours a Float32Array view offset', () => {
  const base = Float32Array.of(7, 1, 2, 3);
  assert.equal([...toBf16(base.subarray(1, 3))], [0x3f80, 0x4000]);
});

// --- GEMM plan ------------------------------------------------------------------------------

test('planGemm picks the tile by M and splits K until the grid covers the GPU', () => {
  const sms = 132;
  assert.is(planGemm(1, 1280, 8192, sms).tile, 0);
  assert.is(planGemm(16, 1280, 8192, sms).tile, 0);
  assert.is(planGemm(17, 1280, 8192, sms).tile, 1);
  assert.is(planGemm(65, 1280, 8192, sms).tile, 2);
  // Llama-3.3-70B TP8 decode (M = 1): every shape fills the GPU, and each split covers ≥ 4 K tiles.
  for (const [N, K] of [[1280, 8192], [8192, 1024], [7168, 8192], [8192, 3584], [16032, 8192]]) {
    const p = planGemm(1, N!, K!, sms);
    const kTiles = Math.ceil(K! / 32);
    assert.ok(p.ctas >= sms, `N ${N} K ${K}: ${p.ctas} CTAs`);
    assert.ok(p.splits * p.kTilesPerSplit >= kTiles && (p.splits - 1) * p.kTilesPerSplit < kTiles, `N ${N} K ${K}: splits cover K exactly`);
    assert.ok(p.splits === 1 || p.kTilesPerSplit >= 4);
    assert.is(p.workspaceBytes, p.splits > 1 ? p.splits * N! * 4 : 0);
  }
  const big = planGemm(4096, 7168, 8192, sms);
  assert.equal([big.splits, big.workspaceBytes, big.ctas], [1, 0, 32 * 56]);
  assert.is(planGemm(1, 256, 64, sms).splits, 1, 'two K tiles are never split');
});

test('planGemm refuses K or N that are not multiples of 8', () => {
  assert.throws(() => planGemm(4, 100, 64, 132), (e: unknown) => e instanceof OpsError && /multiples of 8/.test((e as Error).message));
  assert.throws(() => planGemm(4, 64, 36, 132), (e: unknown) => e instanceof OpsError);
});

// --- attention plan -------------------------------------------------------------------------

function batch(seqs: [number, number][], o: { qHeads: number; kvHeads: number; headDim?: number; blockSize?: number }): AttentionBatch {
  const bs = o.blockSize ?? 16;
  let row = 0;
  let block = 0;
  return {
    seqs: seqs.map(([queryLen, contextLen]) => {
      const n = Math.ceil(contextLen / bs);
      const s = { rowStart: row, queryLen, contextLen, blockTable: Int32Array.from({ length: n }, () => block++) };
      row += queryLen;
      return s;
    }),
    blockSize: bs,
    qHeads: o.qHeads,
    kvHeads: o.kvHeads,
    headDim: o.headDim ?? 128,
    scale: 1,
  };
}

/** Every (seq, query, head) must be covered by exactly one chain of context ranges [0, visible). */
function checkCoverage(b: AttentionBatch, sms: number): ReturnType<typeof planAttention> {
  const rows = b.seqs.reduce((a, s) => a + s.queryLen, 0);
  const plan = planAttention(b, { rows, blocks: 1 << 20, sms });
  const G = b.qHeads / b.kvHeads;
  const seen = new Map<string, [number, number][]>();
  const partialsUsed = new Set<number>();
  for (let i = 0; i < plan.items.length; i += 9) {
    const [seq, kvh, q0, nq, h0, nh, c0, c1, part] = plan.items.subarray(i, i + 9);
    assert.ok(nq! * nh! <= plan.rows && nq! >= 1 && nh! >= 1, 'an item fits its rows');
    const s = b.seqs[seq!]!;
    assert.ok(c1! <= s.contextLen - s.queryLen + q0! + nq!, 'no item reads past its last query');
    if (part! >= 0) partialsUsed.add(part!);
    for (let q = q0!; q < q0! + nq!; q++) {
      for (let h = h0!; h < h0! + nh!; h++) {
        const key = `${seq}:${q}:${kvh! * G + h}`;
        seen.set(key, [...(seen.get(key) ?? []), [c0!, c1!]]);
      }
    }
    assert.ok(c0! < c1! && c0! % 128 === 0, `range [${c0}, ${c1})`);
  }
  b.seqs.forEach((s, seq) => {
    for (let q = 0; q < s.queryLen; q++) {
      for (let h = 0; h < b.qHeads; h++) {
        const ranges = (seen.get(`${seq}:${q}:${h}`) ?? []).sort((x, y) => x[0] - y[0]);
        assert.ok(ranges.length > 0, `seq ${seq} query ${q} head ${h} is not computed`);
        assert.is(ranges[0]![0], 0);
        ranges.forEach((r, i) => i > 0 && assert.is(r[0], ranges[i - 1]![1], 'ranges are contiguous'));
        assert.ok(ranges.at(-1)![1] >= s.contextLen - s.queryLen + q + 1, 'the query sees its whole causal context');
      }
    }
  });
  assert.is(partialsUsed.size, plan.partials);
  let combined = 0;
  for (let i = 0; i < plan.combine.length; i += 8) {
    assert.is(plan.combine[i + 6], combined, 'combine slots are consecutive');
    assert.ok(plan.combine[i + 7]! >= 2);
    combined += plan.combine[i + 7]!;
  }
  assert.is(combined, plan.partials);
  return plan;
}

test('planAttention: decode of few long sequences splits contexts and combines them', () => {
  const b = batch([[1, 3000], [1, 1500], [1, 40]], { qHeads: 8, kvHeads: 1 });
  const plan = checkCoverage(b, 132);
  assert.is(plan.rows, 8, 'decode with 8 query heads per KV head uses 8-row items');
  assert.ok(plan.partials > 0 && plan.combine.length > 0);
  // seqs: rowStart, queryLen, contextLen, table offset; tables hold only the used blocks.
  assert.equal([...plan.seqs], [0, 1, 3000, 0, 1, 1, 1500, 188, 2, 1, 40, 282]);
  assert.is(plan.tables.length, 188 + 94 + 3);
});

test('planAttention: prefill chunks mixed with decodes, GQA 8/2 and 16/1', () => {
  const rng = new Rng('plan');
  for (let trial = 0; trial < 20; trial++) {
    const seqs = Array.from({ length: rng.int(1, 6) }, (): [number, number] => {
      const q = rng.int(1, 80);
      return [q, q + rng.int(0, 700)];
    });
    const [qHeads, kvHeads] = rng.pick([[8, 2], [16, 1], [4, 4], [64, 8]] as const);
    const plan = checkCoverage(batch(seqs, { qHeads, kvHeads }), rng.pick([1, 8, 132]));
    if (seqs.some(([q]) => q > 1)) assert.is(plan.rows, 16);
  }
  assert.is(checkCoverage(batch(Array.from({ length: 600 }, (): [number, number] => [1, 500]), { qHeads: 8, kvHeads: 1 }), 132).partials, 0, 'enough items: no split');
});

test('planAttention validates the batch against q and the cache', () => {
  const b = batch([[4, 20]], { qHeads: 8, kvHeads: 2 });
  const plan = (x: AttentionBatch, rows = 4, blocks = 100): unknown => planAttention(x, { rows, blocks, sms: 132 });
  assert.throws(() => plan(b, 3), /exceed q's 3 rows/);
  assert.throws(() => plan(b, 4, 1), /block 1 is outside the cache \(1 blocks\)/);
  assert.throws(() => plan({ ...b, seqs: [{ ...b.seqs[0]!, blockTable: Int32Array.of(0) }] }), /need 2 blocks/);
  assert.throws(() => plan({ ...b, seqs: [{ ...b.seqs[0]!, contextLen: 3 }] }), /queryLen 4/);
  assert.throws(() => plan({ ...b, headDim: 96 }), new RegExp(`head dim 96 is not supported.*${ATTENTION_HEAD_DIMS.join(', ')}`));
  assert.throws(() => plan({ ...b, kvHeads: 3 }), /not a multiple/);
});

// --- build script and addon without a device --------------------------------------------------

function nvccPresent(): boolean {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/cuda/bin'];
  return dirs.some((d) => {
    try {
      accessSync(path.join(d, 'nvcc'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

test('build:cuda fails loudly without a CUDA compiler, unless SHIFTLAB_SKIP_CUDA_BUILD=1', () => {
  const run = (env: Record<string, string>) => spawnSync(process.execPath, ['cuda/build.mjs'], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const missing = run({ CUDACXX: '/nonexistent/nvcc' });
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /build:cuda failed: no CUDA compiler \(CUDACXX=\/nonexistent\/nvcc is not an executable\)/);
  const skipped = run({ CUDACXX: '/nonexistent/nvcc', SHIFTLAB_SKIP_CUDA_BUILD: '1' });
  assert.is(skipped.status, 0);
  assert.match(skipped.stdout, /build:cuda skipped: no CUDA compiler/);
});

// A fresh clone has no addon until `npm run build:cuda` (CI builds it before the tests, and the
// build fails loudly there): without it this test is skipped, saying how to build it, so that a
// new user's first `npm test` is green on a machine with nvcc.
const built = existsSync(addonPath());
if (!built && nvccPresent()) process.on('exit', () => console.log(`1 CUDA addon test skipped: the addon is not built (${addonPath()}); build it with: npm run build:cuda`));
(built ? test : test.skip)('the built CUDA addon loads (npm run build:cuda builds it where nvcc exists)', () => {
  assert.ok('addon' in loadAddon(), 'the addon loads');
});

const status = cudaStatus();
(built && !status.available ? test : test.skip)('without a device the addon loads and names the CUDA error', () => {
  assert.ok(!status.available);
  if (status.available) return;
  assert.match(status.reason, /cudaGetDeviceCount: cudaError\w+ \(\d+\)/);
  const loaded = loadAddon();
  if (!('addon' in loaded)) throw new Error(loaded.reason);
  const probe = loaded.addon.probe();
  assert.is(probe.available, false);
  assert.ok([35, 100].includes(probe.code), `code ${probe.code} ${probe.error}`);
  assert.is(probe.error, probe.code === 35 ? 'cudaErrorInsufficientDriver' : 'cudaErrorNoDevice');
  assert.is(formatVersion(probe.runtimeVersion).split('.').length, 2);
  try {
    new loaded.addon.Context(0);
    assert.unreachable('a Context needs a device');
  } catch (e) {
    assert.instance(e, CudaError);
    const err = e as CudaError;
    assert.is(err.code, probe.code);
    assert.is(err.cudaError, probe.error);
    assert.match(err.message, new RegExp(`cudaSetDevice failed: ${probe.error} \\(${probe.code}\\)`));
  }
  assert.throws(() => loaded.addon.deviceInfo(0), (e: unknown) => e instanceof CudaError && e.cudaError === probe.error);
});

(built && !status.available ? test : test.skip)('without a device the cuda backend refuses with the reason', async () => {
  assert.throws(() => createCudaOps(), (e: unknown) => e instanceof CudaUnavailableError && /no usable CUDA device: cudaGetDeviceCount: cudaError/.test((e as Error).message));
  try {
    await createWorkerExecutor({ model: 'tiny', backend: 'cuda', strategy: 'tp', world: 2, seed: 1, kvBlocks: 8, blockSize: 16 });
    assert.unreachable('the executor needs a device');
  } catch (e) {
    assert.match((e as Error).message, /rank \d: CudaUnavailableError: the cuda backend cannot run, no usable CUDA device/);
  }
});

test.run();
