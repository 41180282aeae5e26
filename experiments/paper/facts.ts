import type { Breakdown, HardwareProfile } from '../../src/cost/index.ts';
import { type Experiment, type ResolvedSystem, runUnit } from '../../src/exp/index.ts';
import { type Deployment, type SystemSpec, createDeployment } from '../../src/sim/index.ts';
import { openWorkload } from '../../src/traces/index.ts';
import { HEADLINE_WORKLOADS } from './headline.ts';

/**
 * Numbers the README's explanations need that are not in any results.json: the cost model's
 * term-by-term price of one prefill iteration, the memory plans behind the KV capacity of DP and
 * Shift, and one what-if run (DP without an activation reserve). All computed from the code, so
 * they follow any change to the cost model.
 */
export interface PrefillFacts {
  readonly tokens: number;
  /** One prefill iteration of `tokens` tokens: TP (TP 8) and Shift's SP base (SP 8). */
  readonly tp: Breakdown;
  readonly sp: Breakdown;
  /** TP's all-reduces in that iteration: count and the largest payload (bytes per rank). */
  readonly allReduces: { readonly count: number; readonly bytes: number };
}

export interface MemoryFacts {
  readonly weightBytes: number;
  readonly activationBytes: number;
  readonly usableBytes: number;
  /** Tokens of KV cache in one engine's pool (a DP replica, or the deployment). */
  readonly kvTokens: number;
  readonly engines: number;
}

export interface CostFacts {
  readonly prefill: PrefillFacts;
  /** Experiment 1's model → system (DP, Shift) → memory plan. */
  readonly memory: Readonly<Record<string, Readonly<Record<string, MemoryFacts>>>>;
  /** DP at saturation (4k/250, Llama) with the activation reserve given to the KV cache instead. */
  readonly dpWithoutReserve: { readonly kvTokens: number; readonly throughput: number };
  /** The longest context of the profile's attention-efficiency table (held constant beyond). */
  readonly attentionMeasuredUpTo: number;
  /** The lengths of the Mooncake replay (experiment 6). */
  readonly mooncake: TraceLengths;
}

export interface TraceLengths {
  readonly requests: number;
  readonly meanInput: number;
  readonly maxInput: number;
  /** Σ input² / Σ input: the prompt length an average prompt token belongs to. */
  readonly tokenWeightedInput: number;
}

/** Length statistics of the first workload of an experiment, read from its request stream. */
async function traceLengths(exp: Experiment): Promise<TraceLengths> {
  const w = exp.points[0]?.workload;
  if (!w) throw new Error(`${exp.file}: no workload`);
  let [n, sum, sq, max] = [0, 0, 0, 0];
  for await (const r of openWorkload(w.spec).stream) {
    n++;
    sum += r.input;
    sq += r.input * r.input;
    max = Math.max(max, r.input);
  }
  return { requests: n, meanInput: sum / Math.max(1, n), maxInput: max, tokenWeightedInput: sq / Math.max(1, sum) };
}

function specOf(s: ResolvedSystem, model: string, profile: HardwareProfile): SystemSpec {
  return {
    name: s.name, strategy: s.strategy, world: s.world, sp: s.sp, tp: s.tp, model, hardware: profile,
    weightDtype: s.dtype, kvDtype: s.kv_dtype, engine: s.engine,
    ...(s.router === undefined ? {} : { router: s.router }),
  };
}

function systemNamed(exp: Experiment, name: string): ResolvedSystem {
  const s = exp.points[0]?.systems.find((x) => x.name === name);
  if (!s) throw new Error(`${exp.file}: no system '${name}'`);
  return s;
}

async function deployment(exp: Experiment, name: string): Promise<Deployment> {
  return createDeployment(specOf(systemNamed(exp, name), exp.config.model, exp.profile));
}

function memoryFacts(d: Deployment): MemoryFacts {
  const m = d.memory;
  return { weightBytes: m.weightBytes, activationBytes: m.activationBytes, usableBytes: m.usableBytes, kvTokens: m.blocks * m.blockSize, engines: d.replicas };
}

async function prefillFacts(exp: Experiment, tokens: number): Promise<PrefillFacts> {
  const shape = { tokens, sampled: 1, seqs: 1, decodes: 0, decodeContext: 0, chunks: [{ q: tokens, ctx: tokens }] };
  const [tp, shift] = [await deployment(exp, 'TP'), await deployment(exp, 'Shift')];
  const records = tp.cost.trace(tp.model.layers, tp.cost.modeIndex('tp'), tokens, 1);
  const allReduces = records.flatMap((r) => (r.op === 'collective' && r.kind === 'all_reduce' ? [r.bytes] : []));
  return {
    tokens,
    tp: tp.cost.breakdown('tp', shape),
    sp: shift.cost.breakdown('sp', shape),
    allReduces: { count: allReduces.length, bytes: Math.max(0, ...allReduces) },
  };
}

/** DP's saturation throughput when its KV pool gets the memory of the activation reserve too. */
async function dpWithoutReserve(exp: Experiment): Promise<CostFacts['dpWithoutReserve']> {
  const point = exp.points.find((p) => p.workload.name === HEADLINE_WORKLOADS.peak);
  if (!point) throw new Error(`${exp.file}: no workload '${HEADLINE_WORKLOADS.peak}'`);
  const dp = systemNamed(exp, 'DP');
  const m = (await deployment(exp, 'DP')).memory;
  const blocks = Math.floor((m.usableBytes - m.weightBytes) / (m.kvBytesPerToken * m.blockSize));
  const system: ResolvedSystem = { ...dp, engine: { ...dp.engine, num_gpu_blocks_override: blocks } };
  const out = await runUnit({ unit: 'dp-without-reserve', point: point.id, model: exp.config.model, hardware: exp.config.hardware, system, workload: point.workload, timelineBins: 1, baseDir: exp.baseDir });
  return { kvTokens: blocks * m.blockSize, throughput: out.summary.throughput_tok_s };
}

/** `llama` and `qwen` are experiment 1 on each model (latency-peak-*.yaml), `mooncake` experiment 6. */
export async function costFacts(llama: Experiment, qwen: Experiment, mooncake: Experiment): Promise<CostFacts> {
  const memory: Record<string, Record<string, MemoryFacts>> = {};
  for (const exp of [llama, qwen]) {
    memory[exp.config.model] = { DP: memoryFacts(await deployment(exp, 'DP')), Shift: memoryFacts(await deployment(exp, 'Shift')) };
  }
  const table = llama.profile.attention.efficiency_by_context;
  return {
    prefill: await prefillFacts(llama, 4096),
    memory, dpWithoutReserve: await dpWithoutReserve(llama),
    attentionMeasuredUpTo: table[table.length - 1]![0],
    mooncake: await traceLengths(mooncake),
  };
}
