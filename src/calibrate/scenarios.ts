import type { HardwareProfile } from '../cost/profile.ts';
import { modelNames } from '../model/catalog.ts';
import { type SystemSpec, createDeployment } from '../sim/index.ts';
import { allStrategies, strategyNames } from '../strategies/registry.ts';
import type { DegreeKeys, Strategy, StrategyName } from '../strategies/types.ts';
import type { LocatedIssue } from '../exp/config/errors.ts';
import type { Measurement, MeasurementsFile } from './measurements.ts';
import { type RecordedSchedule, type ScheduleMetrics, priceSchedule, recordSchedule } from './schedule.ts';

/**
 * How a measured point becomes simulator runs. The vocabulary of shared/calibration/
 * measurements.yaml:
 *   system    a registered strategy's name in any case, on the point's GPUs with its default
 *             degrees (the paper's DP, TP, SP, Shift: 8×TP1, TP8, SP8, SP8 + TP8 shift model at
 *             threshold 512), <name><n>, <r>xTP<t> (replicas); "A vs B" is a ratio of two systems
 *   workload  "<in>/<out> one-at-a-time" (one request alone), "<in>/<out> saturated" (SATURATION
 *             requests at t = 0), "<in> in short out saturated" (SHORT_OUTPUT tokens out),
 *             "<n>-token prefill" (one prefill iteration, for a share of its time)
 *   hardware  h200 | h100-sxm;  quant  fp8* (the catalog's FP8 scheme) | bf16
 *   engine    every point runs the vLLM-like engine; the engine id only sets its token budget
 *             (ENGINE_SETTINGS): the paper's flags for its runs, the engine's default otherwise.
 *             Other engines' points are checks, not fit points: their kernels and schedulers differ.
 */
export const SATURATION = 2000;
/** "Short out": the output length of the ISC poster's prefill-heavy workload is not given. */
export const SHORT_OUTPUT = 32;

/**
 * Engine settings per engine id of the measurements file (the rest are vLLM's defaults, as the
 * simulator's). The paper ran vLLM 0.10.1 with --max-num-batched-tokens 131072 (measurements.yaml
 * header, SHIFT.md); vLLM V1's OpenAI server defaults to 8192 batched tokens on large GPUs
 * (EngineArgs default_max_num_batched_tokens) and TensorRT-LLM's max_num_tokens defaults to 8192.
 */
const ENGINE_SETTINGS: Readonly<Record<string, { readonly max_num_batched_tokens: number }>> = {
  'vllm-0.10.1': { max_num_batched_tokens: 131072 },
  vllm: { max_num_batched_tokens: 8192 },
  'trtllm-0.17': { max_num_batched_tokens: 8192 },
};

/** Hardware of the measurements → the profile a candidate constant set is evaluated on. */
export type HardwareId = 'h200' | 'h100-sxm';
export type ProfileSet = Readonly<Record<HardwareId, HardwareProfile>>;

/** Models measured that share a catalog entry's architecture. */
const SAME_ARCHITECTURE: Readonly<Record<string, string>> = {
  // Llama-3.1-70B and 3.3-70B have identical config.json shapes (80 layers, 8192 hidden, ...).
  'llama-3.1-70b': 'llama-3.3-70b',
};

interface RunSpec {
  readonly label: string;
  readonly hardware: HardwareId;
  readonly spec: Omit<SystemSpec, 'hardware'>;
  readonly input: number;
  readonly output: number;
  readonly count: number;
}

/** A measured point, ready to be evaluated on any profile set. */
export interface Scenario {
  readonly point: Measurement;
  /** The simulated value of the point's metric on these profiles. */
  evaluate(profiles: ProfileSet): number;
}

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(readonly issues: readonly LocatedIssue[], file: string) {
    super([`${file}: ${issues.length} point(s) cannot be simulated`, ...issues.map((i) => `  ${file}${i.line === undefined ? '' : `:${i.line}:${i.col ?? 1}`}: ${i.path.join('.')}: ${i.message}`)].join('\n'));
  }
}

/** A system of a measured point: the strategy and the degrees it is given (absent: the strategy's default). */
interface SystemRun {
  readonly label: string;
  readonly strategy: StrategyName;
  readonly world: number;
  readonly degrees: DegreeKeys;
}

/**
 * A system label → the run it names, derived from the registry: a strategy's name in any case
 * on the point's GPUs with its default degrees (the paper's DP is DP = P × TP 1, SP is SP = P,
 * Shift is SP = P with the TP = P shift model), <name><n> (the same on n GPUs, n must be the
 * point's), or <r>x<KEY><t>: r replicas each of degree <key> = t, run by the strategy that
 * routes over replicas and reads degree <key> (the paper's 2xTP4).
 */
function systemOf(s: string, gpus: number): SystemRun | string {
  const named = (label: string): Strategy | undefined => allStrategies().find((x) => x.name === label.toLowerCase());
  const plain = named(s);
  if (plain) return { label: s, strategy: plain.name, world: gpus, degrees: {} };
  let m = /^([A-Za-z]+)(\d+)$/.exec(s);
  const sized = m ? named(m[1]!) : undefined;
  if (m && sized) {
    const n = Number(m[2]);
    if (n !== gpus) return `'${s}' uses ${n} GPUs, the point says ${gpus}`;
    return { label: s, strategy: sized.name, world: n, degrees: {} };
  }
  m = /^(\d+)x([A-Za-z]+)(\d+)$/.exec(s);
  const key = m?.[2]!.toLowerCase();
  const replicated = key === undefined ? undefined : allStrategies().find((x) => x.routed && key in x.configKeys);
  if (m && key !== undefined && replicated) {
    const [r, t] = [Number(m[1]), Number(m[3])];
    if (r * t !== gpus) return `'${s}' uses ${r * t} GPUs, the point says ${gpus}`;
    return { label: s, strategy: replicated.name, world: gpus, degrees: { [key]: t } };
  }
  const replicaKeys = allStrategies().filter((x) => x.routed).flatMap((x) => Object.keys(x.configKeys).map((k) => k.toUpperCase()));
  return `unknown system '${s}': a strategy (${strategyNames().join(', ')}, any case), <strategy><n> on n GPUs, <r>x<${replicaKeys.join('|')}><t>, or "A vs B"`;
}

function systemsOf(name: string, gpus: number): SystemRun[] | string {
  const out = name.split(/\s+vs\s+/).map((s) => systemOf(s, gpus));
  const bad = out.find((x) => typeof x === 'string');
  return typeof bad === 'string' ? bad : (out as SystemRun[]);
}

type Workload = { kind: 'one' | 'saturated'; input: number; output: number } | { kind: 'prefill'; input: number };

function workloadOf(w: string): Workload | string {
  let m = /^(\d+)\/(\d+) (one-at-a-time|saturated)$/.exec(w);
  if (m) return { kind: m[3] === 'saturated' ? 'saturated' : 'one', input: Number(m[1]), output: Number(m[2]) };
  m = /^(\d+) in short out saturated$/.exec(w);
  if (m) return { kind: 'saturated', input: Number(m[1]), output: SHORT_OUTPUT };
  m = /^(\d+)-token prefill$/.exec(w);
  if (m) return { kind: 'prefill', input: Number(m[1]) };
  return `unknown workload '${w}': "<in>/<out> one-at-a-time", "<in>/<out> saturated", "<in> in short out saturated" or "<n>-token prefill"`;
}

/** What each metric needs: systems and workload kinds that make sense together. */
function checkMetric(p: Measurement, systems: number, w: Workload): string | null {
  const ratio = p.metric === 'throughput_ratio';
  if (ratio !== (systems === 2)) return ratio ? `a throughput_ratio compares two systems ("A vs B"), got '${p.system}'` : `only throughput_ratio compares two systems`;
  if ((p.metric === 'ttft_ms' || p.metric === 'tpot_ms') && w.kind !== 'one') return `${p.metric} is measured one request at a time ("<in>/<out> one-at-a-time")`;
  if ((p.metric === 'throughput_tok_s' || ratio) && w.kind !== 'saturated') return `${p.metric} is measured at saturation ("... saturated")`;
  if (p.metric === 'allreduce_share_of_prefill' && w.kind !== 'prefill') return 'allreduce_share_of_prefill is measured on one prefill ("<n>-token prefill")';
  return null;
}

/**
 * Resolves every point of a measurements file into a scenario, recording each distinct run
 * once (on `recordOn`, a profile per hardware; the schedule does not depend on it). Problems are
 * collected and thrown together, each naming the file, line and key of its point.
 */
export async function buildScenarios(file: MeasurementsFile, recordOn: ProfileSet, saturation = SATURATION): Promise<Scenario[]> {
  const issues: LocatedIssue[] = [];
  const plans: { point: Measurement; runs: RunSpec[]; prefill?: { spec: Omit<SystemSpec, 'hardware'>; hardware: HardwareId; tokens: number } }[] = [];
  for (const p of file.points) {
    const at = (key: string, message: string): void => void issues.push(file.locate(p.index, key, message));
    const hardware = p.hardware as HardwareId;
    if (hardware !== 'h200' && hardware !== 'h100-sxm') at('hardware', `unknown hardware '${p.hardware}': h200 or h100-sxm`);
    const model = SAME_ARCHITECTURE[p.model] ?? p.model;
    if (!modelNames().includes(model)) at('model', `unknown model '${p.model}'; known: ${[...modelNames(), ...Object.keys(SAME_ARCHITECTURE)].join(', ')}`);
    if (!/^(fp8.*|bf16)$/.test(p.quant)) at('quant', `unknown quantization '${p.quant}': fp8, fp8-dynamic (the catalog's FP8 scheme) or bf16`);
    const engine = ENGINE_SETTINGS[p.engine];
    if (!engine) at('engine', `unknown engine '${p.engine}'; known: ${Object.keys(ENGINE_SETTINGS).join(', ')}`);
    const systems = systemsOf(p.system, p.gpus);
    if (typeof systems === 'string') at('system', systems);
    const w = workloadOf(p.workload);
    if (typeof w === 'string') at('workload', w);
    if (typeof systems === 'string' || typeof w === 'string' || !engine) continue;
    const bad = checkMetric(p, systems.length, w);
    if (bad) {
      at('metric', bad);
      continue;
    }
    const weightDtype = p.quant === 'bf16' ? 'bf16' : 'fp8';
    const specs = systems.map(({ label, strategy, world, degrees }) => ({ label, spec: { name: label, model, weightDtype, kvDtype: 'bf16', engine, strategy, world, ...degrees } as const }));
    if (w.kind === 'prefill') plans.push({ point: p, runs: [], prefill: { spec: specs[0]!.spec, hardware, tokens: w.input } });
    else plans.push({ point: p, runs: specs.map(({ label, spec }) => ({ label, hardware, spec, input: w.input, output: w.output, count: w.kind === 'one' ? 1 : saturation })) });
  }
  if (issues.length > 0) throw new ScenarioError(issues, file.file);
  const schedules = new Map<string, Promise<RecordedSchedule>>();
  const record = (r: RunSpec): Promise<RecordedSchedule> => {
    const key = JSON.stringify(r);
    let s = schedules.get(key);
    if (!s) {
      s = recordSchedule({ ...r.spec, hardware: recordOn[r.hardware] }, r.input, r.output, r.count);
      schedules.set(key, s);
    }
    return s;
  };
  // A schedule is priced once per profile set, however many points read it (TTFT and TPOT).
  const priced = new WeakMap<ProfileSet, Map<RecordedSchedule, ScheduleMetrics>>();
  const price = (s: RecordedSchedule, hardware: HardwareId, profiles: ProfileSet): ScheduleMetrics => {
    let byRun = priced.get(profiles);
    if (!byRun) priced.set(profiles, (byRun = new Map()));
    let m = byRun.get(s);
    if (!m) {
      const p = profiles[hardware];
      m = priceSchedule(s, s.cost.withProfile(p), p.engine.frontend_s ?? 0);
      byRun.set(s, m);
    }
    return m;
  };
  const out: Scenario[] = [];
  for (const plan of plans) {
    const { point } = plan;
    if (plan.prefill) {
      const pf = plan.prefill;
      const cost = (await createDeployment({ ...pf.spec, hardware: recordOn[pf.hardware] })).cost;
      const shape = { tokens: pf.tokens, sampled: 1, seqs: 1, decodes: 0, decodeContext: 0, chunks: [{ q: pf.tokens, ctx: pf.tokens }] };
      out.push({
        point,
        evaluate: (profiles) => {
          const b = cost.withProfile(profiles[pf.hardware]).breakdown(cost.modes[0]!.id, shape);
          const collectives = Object.values(b.collectives).reduce((x, y) => x + y, 0);
          // Share of the GPU's prefill time (the engine's CPU time is not on the GPU timeline).
          return collectives / (b.total - b.overhead);
        },
      });
      continue;
    }
    const schedules = await Promise.all(plan.runs.map(record));
    const runs = plan.runs;
    const metrics = (profiles: ProfileSet): ScheduleMetrics[] => schedules.map((s, i) => price(s, runs[i]!.hardware, profiles));
    out.push({
      point,
      evaluate: (profiles) => {
        const [a, b] = metrics(profiles);
        switch (point.metric) {
          case 'ttft_ms':
            return a!.ttft_ms;
          case 'tpot_ms':
            return a!.tpot_ms;
          case 'throughput_tok_s':
            return a!.throughput_tok_s;
          case 'throughput_ratio':
            return a!.throughput_tok_s / b!.throughput_tok_s;
          default:
            throw new Error(`unreachable: ${point.metric}`);
        }
      },
    });
  }
  return out;
}
