import type { PointResult, SystemResult } from '../../src/exp/index.ts';
import type { StudyResults } from '../../experiments/paper/study.ts';

/**
 * A small, hand-made study (every experiment of experiments/paper with a few points) in which
 * every published claim holds; tests change single numbers to see verdicts flip.
 */
type Stat = number | readonly [mean: number, p50: number, p99: number];

export interface SysSpec {
  readonly ttft: Stat;
  readonly tpot: Stat;
  readonly e2e?: Stat;
  readonly thr?: number;
  readonly finished?: number;
  /** Output tokens per request (completion = TTFT + output × TPOT). */
  readonly out?: number;
  readonly bounded?: boolean;
}

const stats = (s: Stat): { mean: number; p50: number; p90: number; p99: number } =>
  typeof s === 'number' ? { mean: s, p50: s, p90: s, p99: s } : { mean: s[0], p50: s[1], p90: s[2], p99: s[2] };

export function sys(o: SysSpec): SystemResult {
  const finished = o.finished ?? 10;
  return {
    ttft_ms: stats(o.ttft),
    tpot_ms: stats(o.tpot),
    itl_ms: stats(o.tpot),
    e2e_ms: stats(o.e2e ?? 1000),
    throughput_tok_s: o.thr ?? 1000,
    requests: { finished, rejected: 0 },
    switches: 0,
    duration_s: 100,
    max_in_flight: 1,
    tokens: { input: 4096 * finished, output: (o.out ?? 250) * finished },
    queue: { max_waiting: o.bounded === false ? 500 : 3, mean_waiting: 1, waiting_at_last_arrival: 0, growth_req_per_s: o.bounded === false ? 0.5 : 0, bounded: o.bounded ?? true },
    breakdown: { gemm: 5, attention: 2, memory: 1, collectives: { tp: 0, sp: 0, full: 1, world: 0 }, overhead: 1, total: 10 },
    kv: { blocks_per_replica: 1000, replicas: 1, block_size: 16, max_blocks_used: 10 },
    tp_iteration_fraction: 0.9,
  };
}

type Systems = Record<string, SysSpec>;
const point = (workload: string, systems: Systems, params: Record<string, number> = {}): PointResult => ({
  params: { workload, ...params },
  systems: Object.fromEntries(Object.entries(systems).map(([k, v]) => [k, sys(v)])),
});
const results = (config: string, points: PointResult[]): StudyResults[keyof StudyResults] => ({ config, points });

/** Experiment 1: DP highest throughput and worst TTFT, TP lowest TPOT, Shift 1.51× TP's throughput, TP 1.5× Shift's TTFT. */
export const LOW_LOAD: Systems = {
  DP: { ttft: 400, tpot: 20 },
  TP: { ttft: 150, tpot: 6 },
  SP: { ttft: 100, tpot: 22 },
  Shift: { ttft: 100, tpot: 6.2 },
};
export const PEAK: Systems = {
  DP: { ttft: 9e4, tpot: 30, thr: 50_000 },
  TP: { ttft: 9e4, tpot: 300, thr: 30_000 },
  SP: { ttft: 9e4, tpot: 100, thr: 44_000 },
  Shift: { ttft: 9e4, tpot: 70, thr: 45_300 },
};

/** Completion (ms) = ttft + 250 × tpot: TP < DP at 1 req/s, DP < TP from 4 req/s, Shift lowest. */
export const RATES: Readonly<Record<number, Systems>> = {
  1: { DP: { ttft: 1000, tpot: 20 }, TP: { ttft: 300, tpot: 8 }, Shift: { ttft: 150, tpot: 7 } },
  4: { DP: { ttft: 1300, tpot: 40 }, TP: { ttft: 3000, tpot: 200 }, Shift: { ttft: 260, tpot: 20 } },
  16: { DP: { ttft: 4e4, tpot: 60 }, TP: { ttft: 6e4, tpot: 250 }, Shift: { ttft: 3.5e4, tpot: 60 } },
};

export const AZURE: Systems = {
  DP: { ttft: [700, 260, 5700], tpot: [90, 20, 1000], e2e: [2100, 800, 13000] },
  TP: { ttft: [2500, 420, 15000], tpot: [360, 40, 3400], e2e: [6700, 1500, 28000] },
  SP: { ttft: [590, 120, 5200], tpot: [130, 34, 1300], e2e: [2500, 780, 14000] },
  Shift: { ttft: [570, 107, 5100], tpot: [80, 13, 900], e2e: [1900, 380, 12000] },
};

export const MOONCAKE: Systems = {
  DP: { ttft: 4000, tpot: 36, bounded: false },
  TP: { ttft: 4500, tpot: 180, bounded: false },
  SP: { ttft: 2200, tpot: 57 },
  Shift: { ttft: 2200, tpot: 38 },
};

export interface Overrides {
  readonly lowLoad?: Systems;
  readonly peak?: Systems;
  readonly rates?: Readonly<Record<number, Systems>>;
  readonly azure?: Systems;
  readonly mooncake?: Systems;
}

export function fixtureStudy(o: Overrides = {}): StudyResults {
  const exp1 = (name: string): StudyResults[keyof StudyResults] =>
    results(name, [point('latency-4k', o.lowLoad ?? LOW_LOAD), point('peak-4k', o.peak ?? PEAK)]);
  const context = (name: string): StudyResults[keyof StudyResults] =>
    results(name, [2048, 4096].flatMap((ctx) => [point('latency', LOW_LOAD, { ctx }), point('peak', PEAK, { ctx })]));
  return {
    'latency-peak-llama': exp1('paper-latency-peak-llama'),
    'latency-peak-qwen': exp1('paper-latency-peak-qwen'),
    'context-llama': context('paper-context-llama'),
    'context-qwen': context('paper-context-qwen'),
    'rate-sweep': results('paper-rate-sweep', Object.entries(o.rates ?? RATES).map(([rate, s]) => point('poisson-8k', s, { rate: Number(rate) }))),
    bursty: results('paper-bursty', [point('bursts', AZURE)]),
    'azure-code': results('paper-azure-code', [point('azure-code', o.azure ?? AZURE)]),
    mooncake: results('paper-mooncake', [point('mooncake', o.mooncake ?? MOONCAKE)]),
  };
}
