import type { UnitSummary } from '../unit.ts';
import type { SearchSlo } from '../config/search-schema.ts';
import type { ProbeResult } from '../config/search-plan.ts';

/**
 * Whether one simulated rate meets a search's SLO. Every stated target must hold; a rejected
 * request fails the SLO (the deployment did not serve the workload), and so does a target with
 * no request to measure it (p99 TPOT of one-token outputs) when it is stated.
 */
export function measureSlo(rate: number, s: UnitSummary, slo: SearchSlo): ProbeResult {
  const { finished, rejected } = s.requests;
  const ratios: number[] = [];
  const latency = (value: number | null, target: number | undefined): void => {
    if (target !== undefined) ratios.push(value === null ? Infinity : value / target);
  };
  latency(s.ttft_ms.p99, slo.ttft_p99_ms);
  latency(s.tpot_ms.p99, slo.tpot_p99_ms);
  let good: number | null = null;
  if (slo.goodput !== undefined) {
    const all = finished + rejected;
    good = all === 0 ? 0 : ((s.slo_attainment ?? 0) * finished) / all;
    ratios.push(good === 0 ? Infinity : slo.goodput.min_fraction / good);
  }
  const margin = Math.max(...ratios);
  return {
    rate, meets: rejected === 0 && finished > 0 && margin <= 1, margin,
    ttft_p99_ms: s.ttft_ms.p99, tpot_p99_ms: s.tpot_ms.p99, good_fraction: good,
    throughput_tok_s: s.throughput_tok_s, finished, rejected,
  };
}
