import type { ClaimRow } from './claims.ts';
import { verdictClass } from './verdicts.ts';

/**
 * What calibration changed: the verdicts of the last study run on the uncalibrated roofline
 * (profile `h200`, now `h200-roofline`: public constants only; the README at commit 22be5f3),
 * and, for each claim whose verdict differs now, why. The reasons are written by hand from the
 * cost-model terms that moved; the test fails when a changed verdict has none.
 *
 * The roofline verdicts were recorded before the verdicts said "by construction" and "tie within
 * 1%" (both were "holds" then), so verdicts are compared by what they say of the claim (true,
 * partly, false), and the one claim "SP and Shift have the lowest TTFT" stands for the two it
 * was split into.
 */
export type Verdict = ClaimRow['verdict'];

export const ROOFLINE_COMMIT = '22be5f3';

export const ROOFLINE_VERDICTS: Readonly<Record<string, Verdict>> = {
  'peak-throughput-ratio': 'holds',
  'ttft-ratio': 'partly',
  'dp-highest-throughput-llama': 'does not hold',
  'dp-worst-ttft-llama': 'holds',
  'tp-lowest-tpot-llama': 'holds',
  'sp-lowest-ttft-llama': 'holds',
  'shift-lowest-ttft-llama': 'holds',
  'shift-throughput-about-sp-llama': 'holds',
  'shift-tpot-close-to-tp-llama': 'holds',
  'dp-highest-throughput-qwen': 'holds',
  'dp-worst-ttft-qwen': 'holds',
  'tp-lowest-tpot-qwen': 'holds',
  'sp-lowest-ttft-qwen': 'holds',
  'shift-lowest-ttft-qwen': 'holds',
  'shift-throughput-about-sp-qwen': 'holds',
  'shift-tpot-close-to-tp-qwen': 'holds',
  'rate-tp-beats-dp-low': 'holds',
  'rate-dp-beats-tp-high': 'holds',
  'rate-shift-lowest': 'holds',
  'azure-lowest-ttft': 'holds',
  'azure-lowest-tpot': 'partly',
  'azure-lowest-completion': 'partly',
  'mooncake-dp-falls-behind': 'does not hold',
  'mooncake-tp-falls-behind': 'does not hold',
  'mooncake-sp-keeps-up': 'holds',
  'mooncake-shift-keeps-up': 'holds',
};

/** Why a claim's verdict moved, by claim id (only read when it did). */
export const CHANGE_REASONS: Readonly<Record<string, string>> = {
  'ttft-ratio':
    'The Llama TTFT cells are fitting points: the fitted front-end time (paid once per request by both systems, outside the GPU timeline) and the NCCL large-message all-reduce line (370 GB/s instead of the NVLS 471 GB/s; vLLM runs NCCL without cuMem, which NVLS relies on) bring TP over Shift from 1.80× to the measured ~1.5×.',
  'dp-highest-throughput-llama':
    'DP now has the highest peak throughput, as in the paper: the terms the roofline left out cost the one-engine systems more than DP’s one-GPU replicas: the per-worker engine time (an engine of 8 workers broadcasts every step), the kernel floor on TP’s ~1,300 small kernels per decode step, and the all-to-all start-up on SP’s 160 all-to-alls. The DP/TP/SP/Shift throughput cells are fitting points.',
  'rate-shift-lowest':
    'Past Shift’s capacity (6 req/s and up, where every system’s queue grows with the 600 requests) DP completes sooner, because DP’s saturation throughput is now above Shift’s (the claim above); below it Shift stays lowest at every rate.',
  'azure-lowest-tpot':
    'Shift’s full-TP decode steps now cost what the fit found TP decode steps cost (9.7 ms at one request instead of 5.7 ms: engine time per worker, kernel floors, per-token activation quantization), so DP’s p50 TPOT (its replicas see fewer co-scheduled prefills) is now below Shift’s as well as its mean and p99.',
  'mooncake-dp-falls-behind':
    'Qwen3-32B is now priced as the block-scaled FP8 checkpoint it is (CUTLASS blockwise GEMMs from vLLM’s kernel benchmark, far slower than per-channel FP8: CALIBRATION §2), so its throughput on one node falls below the trace’s offered load. This is a prediction: no Qwen3-32B point was fitted.',
  'mooncake-tp-falls-behind': 'As for DP: the block-FP8 GEMM curve makes every Qwen3-32B system slower than the offered load (a prediction, not fitted).',
  'mooncake-sp-keeps-up':
    'As for DP and TP: with block-FP8 GEMMs SP’s saturation throughput on Qwen3-32B at the trace’s prompt lengths falls below its offered load (experiment 6), so its queue grows. A faster block-FP8 kernel than the CUTLASS one vLLM’s code dispatches to on Hopper (DeepGEMM runs about 2× its rate at large M, CALIBRATION §2) would raise every Qwen3-32B throughput: the claim turns on which kernel ran.',
  'mooncake-shift-keeps-up': 'As for SP (Shift runs SP mode on the trace’s large batches).',
};

export interface VerdictChange {
  readonly claim: ClaimRow;
  readonly before: Verdict;
  readonly reason: string | undefined;
}

/** Claims whose verdict differs from the roofline study's. */
export function verdictChanges(claims: readonly ClaimRow[]): VerdictChange[] {
  return claims
    .filter((c) => ROOFLINE_VERDICTS[c.id] !== undefined && verdictClass(ROOFLINE_VERDICTS[c.id]!) !== verdictClass(c.verdict))
    .map((c) => ({ claim: c, before: ROOFLINE_VERDICTS[c.id]!, reason: CHANGE_REASONS[c.id] }));
}
