import type { PointResult } from '../../src/exp/index.ts';
import { ms, seconds, tokS } from './format.ts';
import { HEADLINE_WORKLOADS, type HeadlineRatios, headlineRatios } from './headline.ts';
import { completionMs, extrasOf, pointOf, pointsOf, stat, systemOf } from './results.ts';
import type { ExperimentId, StudyResults } from './study.ts';
import { type Judgement, judgeAll, judgeBest, judgeClose, judgeConstruction, judgeRatio, judgeWorstByFar, ordering, times } from './verdicts.ts';

/**
 * Every published headline result of shared/SHIFT.md ("Published headline results") as a
 * check on the study's results: what the paper says, what the simulator predicts, and whether
 * the claim holds (verdicts.ts). Claims are paraphrased; the numbers are the paper's.
 */
export interface Claim {
  readonly id: string;
  /** Experiment number (study.ts). */
  readonly experiment: number;
  readonly claim: string;
  readonly published: string;
  readonly judge: (study: StudyResults) => Judgement;
}

export interface ClaimRow extends Judgement {
  readonly id: string;
  readonly experiment: number;
  readonly claim: string;
  readonly published: string;
}

type Values = Record<string, number>;

function values(systems: readonly string[], get: (name: string) => number | null, what: string): Values {
  return Object.fromEntries(systems.map((s) => [s, stat(get(s), `${what} of ${s}`)]));
}

const FOUR = ['DP', 'TP', 'SP', 'Shift'] as const;
const without = (v: Values, system: string): Values => Object.fromEntries(Object.entries(v).filter(([k]) => k !== system));
const MODELS = [
  { id: 'latency-peak-llama', label: 'Llama-70B', key: 'llama' },
  { id: 'latency-peak-qwen', label: 'Qwen-32B', key: 'qwen' },
] as const satisfies readonly { id: ExperimentId; label: string; key: string }[];

function lowLoad(study: StudyResults, id: ExperimentId): PointResult {
  return pointOf(study, id, HEADLINE_WORKLOADS.latency);
}
function peak(study: StudyResults, id: ExperimentId): PointResult {
  return pointOf(study, id, HEADLINE_WORKLOADS.peak);
}
const ttftOf = (p: PointResult): Values => values(FOUR, (s) => systemOf(p, s).ttft_ms.mean, 'mean TTFT');
const tpotOf = (p: PointResult): Values => values(FOUR, (s) => systemOf(p, s).tpot_ms.mean, 'mean TPOT');
const throughputOf = (p: PointResult): Values => values(FOUR, (s) => systemOf(p, s).throughput_tok_s, 'throughput');

/** The headline ratios of the Llama-70B runs of experiment 1. */
export function llamaHeadline(r: StudyResults): HeadlineRatios {
  const [latency, peakPoint] = [lowLoad(r, 'latency-peak-llama'), peak(r, 'latency-peak-llama')];
  return headlineRatios({
    latency: { TP: systemOf(latency, 'TP'), Shift: systemOf(latency, 'Shift') },
    peak: { TP: systemOf(peakPoint, 'TP'), Shift: systemOf(peakPoint, 'Shift') },
  });
}

const headline: Claim[] = [
  {
    id: 'peak-throughput-ratio',
    experiment: 1,
    claim: 'Peak throughput, Llama-70B, 4k/250: Shift over TP',
    published: '1.51× higher',
    judge: (r) => judgeRatio(llamaHeadline(r).peakThroughput, 1.51),
  },
  {
    id: 'ttft-ratio',
    experiment: 1,
    claim: 'TTFT at one request, Llama-70B, 4k/250: TP over Shift',
    published: '~1.5× lower (abstract 1.51×, table 1.56×)',
    judge: (r) => judgeRatio(llamaHeadline(r).ttft, 1.51, 1.56),
  },
];

/** Why Shift's numbers at one request are another system's (SHIFT.md, the switch rule at threshold 512). */
const ONE_REQUEST_PREFILL = 'the 4096-token prefill is above the 512-token threshold, so Shift runs it in SP mode';
const ONE_REQUEST_DECODE = 'one-token decode steps are below the 512-token threshold, so Shift runs them in full-TP mode';

const ordering4k: Claim[] = MODELS.flatMap((m): Claim[] => [
  {
    id: `dp-highest-throughput-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: DP has the highest peak throughput`,
    published: 'DP highest',
    judge: (r) => judgeBest(throughputOf(peak(r, m.id)), ['DP'], 'higher', tokS),
  },
  {
    id: `dp-worst-ttft-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: DP has by far the worst TTFT (one request)`,
    published: 'DP worst by far',
    judge: (r) => judgeWorstByFar(ttftOf(lowLoad(r, m.id)), 'DP', ms),
  },
  {
    id: `tp-lowest-tpot-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: TP has the lowest TPOT (one request)`,
    published: 'TP lowest',
    judge: (r) => judgeBest(tpotOf(lowLoad(r, m.id)), ['TP'], 'lower', ms),
  },
  {
    id: `sp-lowest-ttft-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: SP has the lowest TTFT (one request)`,
    published: 'SP, Shift lowest',
    // Against DP and TP: Shift's TTFT here is SP's by construction (the next claim).
    judge: (r) => judgeBest(without(ttftOf(lowLoad(r, m.id)), 'Shift'), ['SP'], 'lower', ms),
  },
  {
    id: `shift-lowest-ttft-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: Shift has the lowest TTFT (one request)`,
    published: 'SP, Shift lowest',
    judge: (r) => {
      const t = ttftOf(lowLoad(r, m.id));
      // Shift = SP: the claim is SP's (the previous one), and says so.
      const sp = judgeBest(without(t, 'Shift'), ['SP'], 'lower', ms);
      return judgeConstruction(t.Shift!, t.SP!, `Shift ${ms(t.Shift!)} = SP ${ms(t.SP!)}`, ONE_REQUEST_PREFILL, () => judgeBest(t, ['Shift'], 'lower', ms), sp);
    },
  },
  {
    id: `shift-throughput-about-sp-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: Shift's peak throughput is about SP's`,
    published: 'about equal (±10%)',
    judge: (r) => {
      const t = throughputOf(peak(r, m.id));
      return judgeClose(t.Shift!, t.SP!, 'Shift/SP');
    },
  },
  {
    id: `shift-tpot-close-to-tp-${m.key}`,
    experiment: 1,
    claim: `${m.label}, 4k/250: Shift's TPOT is close to TP's (one request)`,
    published: 'within ~10%',
    judge: (r) => {
      const t = tpotOf(lowLoad(r, m.id));
      return judgeConstruction(t.Shift!, t.TP!, `Shift ${ms(t.Shift!)} = TP ${ms(t.TP!)}`, ONE_REQUEST_DECODE, () => judgeClose(t.Shift!, t.TP!, 'Shift/TP'));
    },
  },
]);

const STATS = ['mean', 'p50', 'p99'] as const;

function azureLowest(metric: 'ttft_ms' | 'tpot_ms' | 'e2e_ms', format: (v: number) => string): (r: StudyResults) => Judgement {
  return (r) => {
    const p = pointOf(r, 'azure-code', 'azure-code');
    return judgeAll(STATS.map((st) => ({ label: st, judgement: judgeBest(values(FOUR, (s) => systemOf(p, s)[metric][st], `${metric} ${st}`), ['Shift'], 'lower', format) })));
  };
}

const azure: Claim[] = [
  { id: 'azure-lowest-ttft', experiment: 5, claim: 'Azure code trace: Shift has the lowest TTFT', published: 'Shift lowest', judge: azureLowest('ttft_ms', ms) },
  { id: 'azure-lowest-tpot', experiment: 5, claim: 'Azure code trace: Shift has the lowest TPOT', published: 'Shift lowest', judge: azureLowest('tpot_ms', ms) },
  { id: 'azure-lowest-completion', experiment: 5, claim: 'Azure code trace: Shift has the lowest completion time', published: 'Shift lowest', judge: azureLowest('e2e_ms', seconds) },
];

function queueClaim(system: string, bounded: boolean): Claim {
  return {
    id: `mooncake-${system.toLowerCase()}-${bounded ? 'keeps-up' : 'falls-behind'}`,
    experiment: 6,
    claim: `Mooncake trace, Qwen-32B: ${system}'s queue ${bounded ? 'stays bounded (keeps up)' : 'grows without bound'}`,
    published: bounded ? 'bounded' : 'unbounded',
    judge: (r) => {
      const s = systemOf(pointOf(r, 'mooncake', 'mooncake'), system);
      const q = extrasOf(s, `mooncake ${system}`).queue;
      const simulated = `${q.bounded ? 'bounded' : 'unbounded'} (max ${q.max_waiting} waiting, growth ${q.growth_req_per_s.toFixed(3)} req/s)`;
      return { simulated, verdict: q.bounded === bounded ? 'holds' : 'does not hold' };
    },
  };
}

const mooncake: Claim[] = [queueClaim('DP', false), queueClaim('TP', false), queueClaim('SP', true), queueClaim('Shift', true)];

/** Completion time (TTFT + output × TPOT, means) per rate, rates ascending. */
export function rateSweep(r: StudyResults): { rate: number; completion: Values }[] {
  return pointsOf(r, 'rate-sweep', 'poisson-8k')
    .map((p) => {
      const rate = Number(p.params.rate);
      const completion = Object.fromEntries(['DP', 'TP', 'Shift'].map((s) => [s, completionMs(systemOf(p, s), `rate ${rate} ${s}`)]));
      return { rate, completion };
    })
    .sort((a, b) => a.rate - b.rate);
}

/** The lowest swept rate from which DP's completion time beats TP's at every higher rate. */
export function dpOvertakesTp(rows: ReturnType<typeof rateSweep>): number | null {
  let from: number | null = null;
  for (let i = rows.length - 1; i >= 0 && rows[i]!.completion.DP! < rows[i]!.completion.TP!; i--) from = rows[i]!.rate;
  return from;
}

/** "A few requests/s": DP must overtake TP at or below this rate. */
const FEW_REQ_S = 10;

const rates: Claim[] = [
  {
    id: 'rate-tp-beats-dp-low',
    experiment: 3,
    claim: 'Rate sweep, 8k/250: TP has lower completion time than DP at low rates',
    published: 'TP < DP at low rates',
    judge: (r) => {
      const low = rateSweep(r)[0]!;
      return { simulated: `at ${low.rate} req/s: ${ordering({ TP: low.completion.TP!, DP: low.completion.DP! }, 'lower', seconds)}`, verdict: low.completion.TP! < low.completion.DP! ? 'holds' : 'does not hold' };
    },
  },
  {
    id: 'rate-dp-beats-tp-high',
    experiment: 3,
    claim: 'Rate sweep, 8k/250: DP beats TP past a few requests/s',
    published: 'DP < TP past a few req/s',
    judge: (r) => {
      const rows = rateSweep(r);
      const from = dpOvertakesTp(rows);
      if (from === null) return { simulated: `TP ≤ DP at ${rows.at(-1)!.rate} req/s (the highest rate)`, verdict: 'does not hold' };
      const ok = from > rows[0]!.rate && from <= FEW_REQ_S;
      return { simulated: `DP < TP from ${from} req/s up`, verdict: ok ? 'holds' : 'partly' };
    },
  },
  {
    id: 'rate-shift-lowest',
    experiment: 3,
    claim: 'Rate sweep, 8k/250: Shift has the lowest completion time at every rate',
    published: 'Shift lowest at every rate',
    judge: (r) => {
      const rows = rateSweep(r);
      const lost = rows.filter((x) => x.completion.Shift! >= Math.min(x.completion.DP!, x.completion.TP!));
      const margin = Math.min(...rows.map((x) => Math.min(x.completion.DP!, x.completion.TP!) / x.completion.Shift!));
      const simulated = lost.length === 0 ? `lowest at all ${rows.length} rates (by ≥ ${times(margin)})` : `not lowest at ${lost.map((x) => x.rate).join(', ')} req/s`;
      return { simulated, verdict: lost.length === 0 ? 'holds' : lost.length < rows.length ? 'partly' : 'does not hold' };
    },
  },
];

export const CLAIMS: readonly Claim[] = [...headline, ...ordering4k, ...rates, ...azure, ...mooncake];

/** The two headline ratios the README puts first. */
export const HEADLINE_IDS = ['peak-throughput-ratio', 'ttft-ratio'] as const;

export function claimsTable(study: StudyResults, claims: readonly Claim[] = CLAIMS): ClaimRow[] {
  return claims.map((c) => ({ id: c.id, experiment: c.experiment, claim: c.claim, published: c.published, ...c.judge(study) }));
}
