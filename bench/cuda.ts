import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cudaStatus } from '../src/ops/cuda-addon.ts';
import { type KernelCase, decodeAttentionCase, gemmCases, memoryCases, prefillAttentionCase } from '../src/ops/cuda-cases.ts';
import { type TorchCase, copyBandwidth, medianMs, runTorch } from '../src/ops/cuda-timing.ts';

/**
 * yarn bench cuda [--device N] [--quick] [--no-torch] [--out file.json]
 *
 * Every kernel of the cuda backend at the per-GPU shapes of Llama-3.3-70B at TP8, in bf16
 * (src/ops/cuda-cases.ts), against ceilings measured on this GPU — a 1 GiB device copy
 * (bytes read + written) and PyTorch's 8192³ BF16 matmul — and against PyTorch on the same
 * shapes (cuda/torch_reference.py, when python3 has torch). Goals checked:
 *   GEMM at M ≥ 256                         ≥ 60% of PyTorch's speed
 *   decode attention, memory-bound kernels  ≥ 60% of the copy bandwidth
 */
const { values: opts } = parseArgs({
  options: {
    device: { type: 'string', default: '0' },
    quick: { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

const status = cudaStatus();
if (!status.available) {
  console.error(`bench cuda needs a CUDA GPU and found none: ${status.reason}`);
  process.exit(1);
}
const device = Number(opts.device);
const info = status.addon.deviceInfo(device);
const ctx = new status.addon.Context(device);
console.log(`${info.name}: ${info.sms} SMs, L2 ${(info.l2Bytes / 2 ** 20).toFixed(0)} MiB, ${(info.memoryBytes / 2 ** 30).toFixed(0)} GiB`);

const l2 = info.l2Bytes;
const cases: KernelCase[] = [
  ...gemmCases(opts.quick ? [1, 256, 4096] : [1, 16, 64, 256, 1024, 4096], l2),
  ...memoryCases(4096, l2),
  ...(opts.quick ? [[8, 4096]] : [[1, 32768], [8, 4096], [32, 4096], [64, 8192], [256, 2048]]).map(([b, ctx]) => decodeAttentionCase(b!, ctx!, l2)),
  ...(opts.quick ? [2048] : [512, 1024, 2048, 4096, 8192]).map(prefillAttentionCase),
];

// PyTorch first, before this process holds device memory.
const PEAK: TorchCase = { name: 'peak bf16 matmul 8192³', op: 'gemm', copies: 1, M: 8192, N: 8192, K: 8192 };
const torch = opts['no-torch'] ? ({ ok: false, reason: '--no-torch' } as const) : runTorch([PEAK, ...cases.map((c) => c.torch)]);
if (!torch.ok) console.log(`no PyTorch comparison: ${torch.reason}`);
else console.log(`PyTorch ${torch.torch} on ${torch.device}`);
const torchMs = (name: string): number | undefined => (torch.ok ? torch.results[name] : undefined);

const copy = copyBandwidth(ctx);
const peakMs = torchMs(PEAK.name);
const peak = peakMs === undefined ? undefined : (2 * 8192 ** 3) / (peakMs / 1e3);
console.log(`ceilings: copy ${(copy / 1e12).toFixed(2)} TB/s (read + write)` + (peak ? `, PyTorch bf16 matmul ${(peak / 1e12).toFixed(0)} TFLOP/s` : ''));

interface Row {
  readonly name: string;
  readonly group: KernelCase['group'];
  readonly ms: number;
  readonly tflops: number;
  readonly gbps: number;
  readonly torchMs?: number;
  readonly ofCopy: number;
  readonly ofPeak?: number;
  /** Our speed over PyTorch's (torch time / our time). */
  readonly vsTorch?: number;
  readonly goal?: { readonly what: string; readonly met: boolean };
}

function goalOf(c: KernelCase, ofCopy: number, vsTorch: number | undefined): Row['goal'] {
  if (c.group === 'gemm' && Number(c.torch.M) >= 256 && vsTorch !== undefined) return { what: '≥ 60% of PyTorch', met: vsTorch >= 0.6 };
  if (c.group === 'memory' || c.group === 'attention-decode') return { what: '≥ 60% of copy bandwidth', met: ofCopy >= 0.6 };
  return undefined;
}

const rows: Row[] = [];
for (const c of cases) {
  const prepared = c.prepare(ctx, info);
  const ms = medianMs(ctx, prepared.run);
  prepared.free();
  const seconds = ms / 1e3;
  const tms = torchMs(c.name);
  const vsTorch = tms === undefined ? undefined : tms / ms;
  const ofCopy = c.bytes / seconds / copy;
  rows.push({
    name: c.name,
    group: c.group,
    ms,
    tflops: c.flops / seconds / 1e12,
    gbps: c.bytes / seconds / 1e9,
    ofCopy,
    ...(tms === undefined ? {} : { torchMs: tms }),
    ...(peak && c.flops > 0 ? { ofPeak: c.flops / seconds / peak } : {}),
    ...(vsTorch === undefined ? {} : { vsTorch }),
    ...(goalOf(c, ofCopy, vsTorch) ? { goal: goalOf(c, ofCopy, vsTorch)! } : {}),
  });
  process.stdout.write('.');
}
process.stdout.write('\n');

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(100 * x).toFixed(0)}%`);
const header = ['case', 'ms', 'TFLOP/s', 'GB/s', '% copy', '% peak', 'torch ms', 'vs torch', 'goal'];
const table = rows.map((r) => [
  r.name,
  r.ms < 0.1 ? r.ms.toFixed(4) : r.ms.toFixed(3),
  r.tflops ? r.tflops.toFixed(1) : '—',
  r.gbps.toFixed(0),
  pct(r.ofCopy),
  pct(r.ofPeak),
  r.torchMs === undefined ? '—' : r.torchMs.toFixed(4),
  pct(r.vsTorch),
  r.goal ? `${r.goal.met ? 'met' : 'MISSED'} (${r.goal.what})` : '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
for (const line of [header, ...table]) console.log(line.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  '));
const goals = rows.filter((r) => r.goal);
console.log(`goals met: ${goals.filter((r) => r.goal!.met).length} of ${goals.length}`);

const out = opts.out ?? path.join('results', `bench-cuda-${info.name.replace(/\W+/g, '-').toLowerCase()}.json`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ device: info, date: new Date().toISOString(), copyBytesPerSecond: copy, torchPeakFlops: peak ?? null, torch: torch.ok ? torch.torch : torch.reason, rows }, null, 2) + '\n');
console.log(`wrote ${out}`);
