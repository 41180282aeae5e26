import type { Breakdown } from '../cost/breakdown.ts';
import type { IterationShape } from '../cost/iteration.ts';
import type { BatchRecord } from '../engine/batch-record.ts';
import type { TraceCache } from '../cost/trace-cache.ts';
import type { MemoryPlan } from '../cost/memory.ts';
import type { HardwareProfile } from '../cost/profile.ts';
import type { ModeId } from '../parallel/mode.ts';
import type { PolicySpec } from '../policy/registry.ts';
import type { SwitchPolicy } from '../policy/types.ts';
import type { StrategyName } from '../strategies/types.ts';
import type { TraceRequest } from '../traces/types.ts';
import type { PercentileMethod, Summary } from './metrics/distribution.ts';
import type { QueueStats } from './metrics/queue.ts';
import type { RouterName } from './routers/registry.ts';
import type { EngineSettings } from './settings.ts';

/**
 * One deployment to simulate: plain data (plus, optionally, a SwitchPolicy object), so an
 * experiment runner can build one per (system, workload) point from a config file.
 */
export interface SystemSpec {
  /** A label for reports, e.g. 'baseline-8gpu'. */
  readonly name: string;
  readonly strategy: StrategyName;
  /** GPUs (P); one node. */
  readonly world: number;
  /** SP degree s and TP degree t (SP and Shift: s·t = P; DP: t per replica). Defaults as resolveParallel. */
  readonly sp?: number;
  readonly tp?: number;
  /** A model of the catalog (src/model/catalog.ts), e.g. 'llama-3.3-70b'. */
  readonly model: string;
  /** A built-in profile name ('h200', 'h100-sxm'), a .json profile path, or a profile object. */
  readonly hardware: string | HardwareProfile;
  /** Weight precision (default bf16, vLLM's default for these checkpoints). */
  readonly weightDtype?: 'fp8' | 'bf16';
  /** KV-cache precision (default bf16). */
  readonly kvDtype?: 'fp8' | 'bf16';
  /** Shift only: the switching policy, as an object or a registry spec (default 'threshold', 512). */
  readonly policy?: SwitchPolicy | PolicySpec;
  /** DP only: how requests are spread over replicas (default 'least-outstanding'). */
  readonly router?: RouterName;
  /** Engine settings, named as vLLM's flags; defaults are the paper's vLLM settings. */
  readonly engine?: Partial<EngineSettings>;
  /** Meta traces shared with another deployment of the same layout (`yarn calibrate fit`). */
  readonly traces?: TraceCache;
}

/** One finished request (streamed through SimOptions.onRequest; the simulator keeps none). */
export interface RequestRow {
  readonly id: number;
  readonly replica: number;
  readonly arrival: number;
  readonly input: number;
  readonly output: number;
  readonly first_token: number;
  readonly finish: number;
  readonly ttft: number;
  /** (e2e − ttft) / (output − 1); NaN for one-token requests. */
  readonly tpot: number;
  readonly e2e: number;
  readonly preemptions: number;
  readonly cached_tokens: number;
}

/** One engine iteration (streamed through SimOptions.onIteration). */
export interface IterationRow {
  readonly replica: number;
  readonly iteration: number;
  readonly start: number;
  readonly end: number;
  readonly mode: ModeId;
  readonly tokens: number;
  readonly seqs: number;
  readonly decodes: number;
  readonly sampled: number;
  readonly preempted: number;
  readonly waiting: number;
  readonly kv_blocks_used: number;
  readonly kv_blocks: number;
  /** What the cost model priced (re-priced on other profiles by `yarn calibrate fit`). */
  readonly shape: IterationShape;
}

export interface Slo {
  readonly ttft_ms: number;
  readonly tpot_ms: number;
}

export interface SimOptions {
  /** Goodput counts finished requests meeting both thresholds. */
  readonly slo?: Slo;
  readonly onRequest?: (row: RequestRow) => void;
  /** A request that can never be served (too long for the model or the KV cache), at its arrival. */
  readonly onReject?: (request: TraceRequest, reason: string) => void;
  readonly onIteration?: (row: IterationRow) => void;
  /** Called for every generated token (tests; costs a call per token). */
  readonly onToken?: (requestId: number, time: number) => void;
  /** Called with every batch an engine completed, in completion order (tests comparing with the executor). */
  readonly onBatch?: (replica: number, batch: BatchRecord) => void;
  /** Called with every Shift decision (tests, tracing policies). */
  readonly onDecision?: (replica: number, iteration: number, mode: ModeId) => void;
}

/** The results.json contract of the experiment runner, plus what reports find useful. */
export interface SimResult {
  readonly system: string;
  readonly strategy: StrategyName;
  readonly world: number;
  readonly sp: number;
  readonly tp: number;
  readonly model: string;
  readonly hardware: string;
  readonly policy: string | null;
  readonly ttft_ms: Summary;
  readonly tpot_ms: Summary;
  readonly itl_ms: Summary;
  readonly e2e_ms: Summary;
  /**
   * How each latency's percentiles were computed: exact while a run has at most 65,536 values
   * of it, then a DDSketch of stated relative accuracy (src/sim/metrics/distribution.ts).
   */
  readonly percentiles: { readonly ttft_ms: PercentileMethod; readonly tpot_ms: PercentileMethod; readonly itl_ms: PercentileMethod; readonly e2e_ms: PercentileMethod };
  /** (Σ input + Σ output tokens of finished requests) / (last completion − first arrival). */
  readonly throughput_tok_s: number;
  readonly requests: { readonly finished: number; readonly rejected: number; readonly arrived: number };
  readonly switches: number;
  /** Most requests in the system at once (arrived, not finished); rejected ones never count. */
  readonly max_in_flight: number;
  /** Rejected requests by reason. */
  readonly rejections: Readonly<Record<string, number>>;
  readonly goodput: { readonly slo: Slo; readonly requests: number; readonly fraction: number; readonly req_s: number } | null;
  readonly duration_s: number;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly queue: QueueStats;
  readonly iterations: { readonly count: number; readonly by_mode: Readonly<Record<ModeId, number>>; readonly busy_s: number };
  /** Summed over all iterations of all engines: where the busy time went. */
  readonly breakdown: Breakdown;
  readonly preemptions: number;
  readonly kv: { readonly blocks_per_replica: number; readonly replicas: number; readonly block_size: number; readonly max_blocks_used: number };
  readonly memory: MemoryPlan;
  readonly settings: EngineSettings;
}
