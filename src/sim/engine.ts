import type { IterationCostModel } from '../cost/iteration.ts';
import type { ModeId } from '../parallel/mode.ts';
import { iterationStateOf } from '../policy/state.ts';
import { HISTORY, PolicyError, type SwitchPolicy } from '../policy/types.ts';
import { KvPool } from './kv-pool.ts';
import type { MetricsCollector } from './metrics/collector.ts';
import { PrefixCache } from './prefix-cache.ts';
import type { SimRequest } from './request.ts';
import type { ReplicaLoad } from './routers/types.ts';
import { Scheduler, type SchedulerOutput } from './scheduler.ts';
import type { EngineSettings } from './settings.ts';
import type { SimOptions } from './types.ts';

export interface EngineDeps {
  readonly cost: IterationCostModel;
  /** Shift only: picks the mode of each iteration. */
  readonly policy: SwitchPolicy | null;
  readonly settings: EngineSettings;
  readonly blocks: number;
  readonly metrics: MetricsCollector;
  readonly options: SimOptions;
}

/**
 * One vLLM engine (the whole deployment, or one DP replica): its scheduler and KV pool, and the
 * iteration in flight. `start` schedules an iteration, asks the policy for its mode (Shift) and
 * returns when it ends by the cost model; `finish` applies it.
 */
export class Engine implements ReplicaLoad {
  readonly scheduler: Scheduler;
  readonly kv: KvPool;
  /** An iteration is in flight, or a wake-up is queued. */
  busy = false;
  private current: SchedulerOutput | null = null;
  private start0 = 0;
  private modeIndex = 0;
  private iteration = 0;
  private history: ModeId[] = [];
  private lastMode: ModeId | null = null;

  constructor(
    readonly index: number,
    private readonly d: EngineDeps,
  ) {
    this.kv = new KvPool(d.blocks, d.settings.block_size);
    const s = d.settings;
    const prefix = s.enable_prefix_caching ? new PrefixCache(s.prefix_block_tokens, Math.floor((d.blocks * s.block_size) / s.prefix_block_tokens)) : null;
    this.scheduler = new Scheduler({ maxNumBatchedTokens: s.max_num_batched_tokens, maxNumSeqs: s.max_num_seqs }, this.kv, prefix);
  }

  get waitingCount(): number {
    return this.scheduler.waiting.length;
  }

  get runningCount(): number {
    return this.scheduler.running.length;
  }

  get hasWork(): boolean {
    return this.scheduler.waiting.length > 0 || this.scheduler.running.length > 0;
  }

  admit(r: SimRequest): void {
    this.scheduler.waiting.push(r);
  }

  /** Schedules an iteration at `now`; returns its end time, or null when there is nothing to run. */
  start(now: number): number | null {
    const out = this.scheduler.schedule();
    if (out.tokens === 0) {
      if (this.hasWork) throw new Error(`engine ${this.index}: work is queued but nothing could be scheduled (simulator bug)`);
      return null;
    }
    this.modeIndex = this.chooseMode(out);
    const dt = this.d.cost.time(this.modeIndex, out, this.d.metrics.breakdown);
    if (!(dt > 0)) throw new Error(`engine ${this.index}: the cost model priced an iteration of ${out.tokens} tokens at ${dt} s`);
    this.current = out;
    this.start0 = now;
    return now + dt;
  }

  /** Applies the iteration in flight, which ended at `now`. */
  finish(now: number): void {
    const out = this.current!;
    this.current = null;
    const metrics = this.d.metrics;
    this.scheduler.update(out, now, metrics);
    const mode = this.d.cost.modes[this.modeIndex]!.id;
    metrics.iteration(mode, this.start0, now, out.preempted, this.lastMode !== null && mode !== this.lastMode);
    this.d.options.onIteration?.({
      replica: this.index, iteration: this.iteration, start: this.start0, end: now, mode, tokens: out.tokens, seqs: out.seqs,
      decodes: out.decodes, sampled: out.sampled, preempted: out.preempted, waiting: out.waiting,
      kv_blocks_used: out.kvBlocksUsed, kv_blocks: this.kv.capacity, shape: out,
    });
    this.iteration++;
    this.lastMode = mode;
  }

  /** Mode 0 unless the deployment has two (Shift): then the policy decides, with a cost oracle. */
  private chooseMode(out: SchedulerOutput): number {
    const { policy, cost } = this.d;
    if (!policy || cost.modes.length === 1) return 0;
    const state = iterationStateOf(
      { chunks: out.counts, decodeTokens: out.decodeTokens, waiting: out.waiting, kvUsage: out.kvBlocksUsed / this.kv.capacity },
      this.iteration,
      this.history,
      (m) => cost.time(cost.modeIndex(m), out),
      cost.modeIds,
    );
    const kind = policy.decide(state);
    if (!cost.modes.some((m) => m.id === kind)) {
      throw new PolicyError(`policy ${policy.name} returned ${JSON.stringify(kind)} at iteration ${this.iteration}; expected one of ${cost.modes.map((m) => `'${m.id}'`).join(', ')}`);
    }
    this.history.push(kind);
    if (this.history.length > 2 * HISTORY) this.history = this.history.slice(-HISTORY);
    this.d.options.onDecision?.(this.index, this.iteration, kind);
    return cost.modeIndex(kind);
  }
}
