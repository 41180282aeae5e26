import type { SystemResult } from '../../src/exp/index.ts';
import { stat } from './results.ts';

/**
 * The paper's two headline ratios on Llama-3.3-70B at 4k/250 (shared/SHIFT.md): Shift's peak
 * throughput over TP's (paper 1.51×) and TP's TTFT at one request over Shift's (paper ~1.5×).
 * One definition for the claims table and the sensitivity study.
 */
export interface HeadlineRatios {
  readonly peakThroughput: number;
  readonly ttft: number;
}

export interface HeadlineInputs {
  /** One request at a time (workload latency-4k). */
  readonly latency: { readonly TP: SystemResult; readonly Shift: SystemResult };
  /** Saturation (workload peak-4k). */
  readonly peak: { readonly TP: SystemResult; readonly Shift: SystemResult };
}

export function headlineRatios(x: HeadlineInputs): HeadlineRatios {
  return {
    peakThroughput: x.peak.Shift.throughput_tok_s / x.peak.TP.throughput_tok_s,
    ttft: stat(x.latency.TP.ttft_ms.mean, 'TP mean TTFT') / stat(x.latency.Shift.ttft_ms.mean, 'Shift mean TTFT'),
  };
}

/** The workloads and systems of experiment 1 the ratios are made of. */
export const HEADLINE_WORKLOADS = { latency: 'latency-4k', peak: 'peak-4k' } as const;
export const HEADLINE_SYSTEMS = ['TP', 'Shift'] as const;
