import type { PointResult, SystemResult } from '../../src/exp/index.ts';
import { dpOvertakesTp, rateSweep } from './claims.ts';
import { int, kTokens, ms, seconds, tokS } from './format.ts';
import { HEADLINE_WORKLOADS } from './headline.ts';
import { mdTable } from './markdown.ts';
import { completionMs, extrasOf, pointOf, pointsOf, systemOf } from './results.ts';
import type { ExperimentId, StudyResults } from './study.ts';

/** The README's per-experiment tables, one function per experiment. */
const FOUR = ['DP', 'TP', 'SP', 'Shift'];

const fmtMs = (v: number | null): string => (v === null ? '–' : ms(v));
const fmtS = (v: number | null): string => (v === null ? '–' : seconds(v));

function rejected(s: SystemResult): boolean {
  return s.requests.finished === 0 && s.requests.rejected > 0;
}

/** Experiment 1, one model: latency at one request, throughput at saturation. */
export function latencyPeakTable(study: StudyResults, id: ExperimentId): string {
  const [low, peak] = [pointOf(study, id, HEADLINE_WORKLOADS.latency), pointOf(study, id, HEADLINE_WORKLOADS.peak)];
  const rows = FOUR.map((name) => {
    const l = systemOf(low, name);
    const p = systemOf(peak, name);
    return [name, fmtMs(l.ttft_ms.mean), fmtMs(l.tpot_ms.mean), fmtS(completionMs(l, name)), tokS(p.throughput_tok_s), fmtS(p.ttft_ms.mean), fmtMs(p.tpot_ms.mean)];
  });
  return mdTable(['system', 'TTFT, 1 request', 'TPOT, 1 request', 'completion, 1 request', 'peak throughput', 'TTFT at saturation', 'TPOT at saturation'], rows);
}

/** Experiment 2, one model: per input length and system, TTFT · TPOT at one request and throughput at saturation. */
export function contextTable(study: StudyResults, id: ExperimentId): string {
  const peaks = pointsOf(study, id, 'peak');
  const rows = pointsOf(study, id, 'latency').map((low) => {
    const ctx = Number(low.params.ctx);
    const peak = peaks.find((p) => p.params.ctx === low.params.ctx);
    return [`${kTokens(ctx)} (${int(ctx)})`, ...FOUR.map((name) => {
      const l = systemOf(low, name);
      if (rejected(l)) return 'rejected: exceeds one engine’s KV cache';
      const thr = peak ? tokS(systemOf(peak, name).throughput_tok_s) : '–';
      return `${fmtMs(l.ttft_ms.mean)} · ${fmtMs(l.tpot_ms.mean)} · ${thr}`;
    })];
  });
  return mdTable(['input tokens', ...FOUR.map((s) => `${s}: TTFT · TPOT · throughput`)], rows);
}

/** Experiment 3: completion time per rate and system, and where DP overtakes TP. */
export function rateTable(study: StudyResults): string {
  const rows = rateSweep(study);
  const systems = ['DP', 'TP', 'Shift'];
  const table = mdTable(['rate (req/s)', ...systems.map((s) => `${s} completion`), 'lowest'], rows.map((r) => {
    const best = systems.reduce((a, b) => (r.completion[b]! < r.completion[a]! ? b : a));
    return [String(r.rate), ...systems.map((s) => seconds(r.completion[s]!)), best];
  }));
  const from = dpOvertakesTp(rows);
  const cross = from === null ? 'DP never overtakes TP in the swept range.' : `DP's completion time is below TP's from ${from} requests/s up.`;
  return `${table}\n\n${cross}`;
}

/** Mean, p50 and p99 of TTFT, TPOT and completion (E2E per request) per system. */
export function latencyTable(p: PointResult, systems: readonly string[] = FOUR): string {
  const stats = ['mean', 'p50', 'p99'] as const;
  const rows = systems.map((name) => {
    const s = systemOf(p, name);
    return [name, ...stats.map((st) => fmtMs(s.ttft_ms[st])), ...stats.map((st) => fmtMs(s.tpot_ms[st])), ...stats.map((st) => fmtS(s.e2e_ms[st])), int(s.requests.finished)];
  });
  const head = (m: string): string[] => stats.map((st) => `${m} ${st}`);
  return mdTable(['system', ...head('TTFT'), ...head('TPOT'), ...head('completion'), 'finished'], rows);
}

/** Experiment 6: does each system keep up? The simulator's queue indicators. */
export function queueTable(study: StudyResults): string {
  const p = pointOf(study, 'mooncake', 'mooncake');
  const rows = FOUR.map((name) => {
    const s = systemOf(p, name);
    const q = extrasOf(s, name).queue;
    return [name, q.bounded ? 'yes' : 'no', int(q.max_waiting), q.mean_waiting.toFixed(1), int(q.waiting_at_last_arrival), q.growth_req_per_s.toFixed(4), tokS(s.throughput_tok_s), fmtS(s.ttft_ms.p50), fmtS(s.ttft_ms.p99), fmtMs(s.tpot_ms.mean)];
  });
  return mdTable(['system', 'keeps up (queue bounded)', 'max waiting', 'mean waiting', 'waiting at last arrival', 'queue growth (req/s)', 'throughput', 'TTFT p50', 'TTFT p99', 'TPOT mean'], rows);
}
