import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SimResult, type SystemSpec, simulate } from '../src/sim/index.ts';
import { loadTrace } from '../src/traces/index.ts';

/**
 * Replays the Azure LLM conversation trace (19,366 requests, ~58 min) through DP, TP, SP and
 * Shift for Llama-3.3-70B FP8 on 8× H200, and prints each system's summary, the wall time of
 * each simulation and of all four, and the peak memory of the process.
 *
 * Usage: yarn bench sim [--traces DIR]   (default: data/traces, else ../shared/traces)
 * Goal: all four in ≤ 5 s and ≤ 1 GB on a 2-core machine.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const FILE = path.join('azure_llm_2023', 'AzureLLMInferenceTrace_conv.csv');

function traceFile(): string {
  const i = process.argv.indexOf('--traces');
  const dirs = i > 0 ? [process.argv[i + 1]!] : [path.join(root, 'data/traces'), path.join(root, '../shared/traces')];
  for (const dir of dirs) if (existsSync(path.join(dir, FILE))) return path.join(dir, FILE);
  throw new Error(`${FILE} not found under ${dirs.join(' or ')}; pass --traces DIR`);
}

const SYSTEMS: SystemSpec[] = (['dp', 'tp', 'sp', 'shift'] as const).map((strategy) => ({
  name: strategy, strategy, world: 8, model: 'llama-3.3-70b', hardware: 'h200', weightDtype: 'fp8', kvDtype: 'bf16',
}));

const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

function report(r: SimResult, ms: number): void {
  const b = r.breakdown;
  const share = (x: number): string => `${((100 * x) / b.total).toFixed(0)}%`;
  const coll = Object.values(b.collectives).reduce((a, x) => a + (x ?? 0), 0);
  console.log(
    `${r.system.padEnd(6)} finished ${r.requests.finished} rejected ${r.requests.rejected} | ` +
      `TTFT ms mean ${f(r.ttft_ms.mean)} p50 ${f(r.ttft_ms.p50)} p99 ${f(r.ttft_ms.p99)} | ` +
      `TPOT ms mean ${f(r.tpot_ms.mean, 2)} p99 ${f(r.tpot_ms.p99, 2)} | ITL p99 ${f(r.itl_ms.p99, 2)} | ` +
      `E2E s mean ${f(r.e2e_ms.mean / 1e3, 2)} | ${f(r.throughput_tok_s, 0)} tok/s | switches ${r.switches}`,
  );
  console.log(
    `       iterations ${r.iterations.count} busy ${f(r.iterations.busy_s, 0)} s (gemm ${share(b.gemm)}, attention ${share(b.attention)}, ` +
      `memory ops ${share(b.memory)}, collectives ${share(coll)}, engine ${share(b.overhead)}) | ` +
      `KV ${r.kv.blocks_per_replica}×${r.kv.replicas} blocks, max used ${r.kv.max_blocks_used} | preemptions ${r.preemptions} | ` +
      `queue max ${r.queue.max_waiting} bounded ${r.queue.bounded} | sim ${f(ms, 0)} ms`,
  );
}

const file = traceFile();
console.log(`Azure conv trace ${path.relative(process.cwd(), file)}, Llama-3.3-70B FP8 (KV BF16), 8× H200, vLLM defaults + max_num_batched_tokens 131072`);
const start = performance.now();
for (const spec of SYSTEMS) {
  const t0 = performance.now();
  const r = await simulate(spec, loadTrace(file));
  report(r, performance.now() - t0);
}
const total = performance.now() - start;
const peakMB = process.resourceUsage().maxRSS / 1024;
console.log(`all four: ${(total / 1e3).toFixed(2)} s wall, peak RSS ${peakMB.toFixed(0)} MB`);
