import type { BreakdownSum } from '../cost/breakdown.ts';
import type { IterationShape } from '../cost/iteration.ts';
import { BlockPool } from '../engine/block-pool.ts';
import { ModeChooser } from '../engine/mode-chooser.ts';
import { batchRecordOf } from '../engine/batch-record.ts';
import { PrefixCache } from '../engine/prefix-cache.ts';
import { Scheduler, type SchedulerOutput } from '../engine/scheduler.ts';
import type { Mode, ModeRoles } from '../parallel/mode.ts';
import type { SwitchPolicy } from '../policy/types.ts';
import { type EventQueue, EventType } from './events.ts';
import type { MetricsCollector } from './metrics/collector.ts';
import type { SimRequest } from './request.ts';
import type { ReplicaLoad } from './routers/types.ts';
import type { EngineSettings } from './settings.ts';
import type { SimOptions } from './types.ts';

/** What the engine needs of a cost model: its modes and the time of an iteration in one. */
export interface IterationPricer {
  readonly modes: readonly Mode[];
  time(modeIndex: number, shape: IterationShape, into?: BreakdownSum): number;
}

export interface EngineDeps {
  readonly cost: IterationPricer;
  /** Deployments with several modes (Shift): picks the mode of each iteration. */
  readonly policy: SwitchPolicy | null;
  /** The switching block's roles of the modes, for the policy (absent without one). */
  readonly roles?: ModeRoles | undefined;
  readonly settings: EngineSettings;
  readonly blocks: number;
  readonly metrics: MetricsCollector;
  readonly options: SimOptions;
  readonly events: EventQueue;
  /**
   * Batches in flight: the engine is a pipeline of this many stages (the strategy's cost shape;
   * 1 for every strategy without stages). See Engine.
   */
  readonly stages: number;
}

interface InFlight {
  readonly out: SchedulerOutput<SimRequest>;
  readonly modeIndex: number;
  readonly start: number;
}

/**
 * One vLLM engine (the whole deployment, or one DP replica): the shared scheduler, block pool
 * and mode chooser, and the iterations in flight.
 *
 * Batches in flight. The engine is a pipeline of k = `stages` stages; the cost model prices an
 * iteration's whole latency dt, split evenly over the stages (s = dt / k each). An iteration
 * started at t enters stage 1 when stage 1 is free, each next stage when both it left the stage
 * before and the previous iteration left that stage:
 *   f_1 = max(t, F_1) + s,   f_j = max(f_{j−1}, F_j) + s,   F_j ← f_j,   it completes at f_k.
 * A new iteration may start once stage 1 is free (at f_1) while fewer than k are in flight; a
 * sequence is in at most one of them (the scheduler skips it until its batch completes), so its
 * tokens come at completion times, in order. With k = 1 this is one iteration at a time: start,
 * run dt, finish, start the next.
 */
export class Engine implements ReplicaLoad {
  readonly scheduler: Scheduler<SimRequest>;
  readonly kv: BlockPool;
  private readonly chooser: ModeChooser;
  private readonly inFlight: InFlight[] = [];
  /** When each stage finishes the latest iteration that entered it. */
  private readonly stageFree: Float64Array;
  private wakeQueued = false;
  private iteration = 0;
  private lastMode: string | null = null;
  private lastEnd = -Infinity;

  constructor(
    readonly index: number,
    private readonly d: EngineDeps,
  ) {
    if (!(Number.isInteger(d.stages) && d.stages >= 1)) throw new Error(`engine ${index}: batches in flight must be a positive integer, got ${d.stages}`);
    this.kv = new BlockPool(d.blocks, d.settings.block_size, { ids: false });
    const s = d.settings;
    const prefix = s.enable_prefix_caching ? new PrefixCache(s.prefix_block_tokens, Math.floor((d.blocks * s.block_size) / s.prefix_block_tokens)) : null;
    this.scheduler = new Scheduler({ maxNumBatchedTokens: s.max_num_batched_tokens, maxNumSeqs: s.max_num_seqs, batchesInFlight: d.stages }, this.kv, prefix);
    this.chooser = new ModeChooser(d.cost.modes.map((m) => m.id), d.policy, `engine ${index}`, d.roles);
    this.stageFree = new Float64Array(d.stages).fill(-Infinity);
  }

  get waitingCount(): number {
    return this.scheduler.waiting.length;
  }

  get runningCount(): number {
    return this.scheduler.running.length;
  }

  get hasWork(): boolean {
    return this.scheduler.hasWork;
  }

  /** Queues `r`; wakes the engine at `now` (or when its first stage frees) if it could start an iteration. */
  admit(r: SimRequest, now: number): void {
    this.scheduler.waiting.push(r);
    if (!this.wakeQueued && this.inFlight.length < this.d.stages) this.wakeAt(Math.max(now, this.stageFree[0]!));
  }

  /** A queued wake-up at `now`: start an iteration if anything can be scheduled. */
  wake(now: number): void {
    this.wakeQueued = false;
    this.start(now);
  }

  /** The oldest iteration in flight ended at `now`: apply it, then start the next one if a slot is free. */
  finish(now: number): void {
    const it = this.inFlight.shift()!;
    const { out } = it;
    const metrics = this.d.metrics;
    const mode = this.d.cost.modes[it.modeIndex]!.id;
    this.d.options.onBatch?.(this.index, batchRecordOf(out, mode));
    this.scheduler.update(out, now, metrics);
    // Busy time is the union of in-flight intervals (iterations complete in start order).
    metrics.iteration(mode, Math.max(it.start, this.lastEnd), now, out.preempted, this.lastMode !== null && mode !== this.lastMode);
    this.lastEnd = now;
    this.d.options.onIteration?.({
      replica: this.index, iteration: this.iteration, start: it.start, end: now, mode: mode, tokens: out.tokens, seqs: out.seqs,
      decodes: out.decodes, sampled: out.sampled, preempted: out.preempted, waiting: out.waiting,
      kv_blocks_used: out.kvBlocksUsed, kv_blocks: this.kv.capacity, shape: out,
    });
    this.iteration++;
    this.lastMode = mode;
    if (this.wakeQueued || this.inFlight.length >= this.d.stages) return;
    const free = this.stageFree[0]!;
    if (free > now) this.wakeAt(free);
    else this.start(now);
  }

  private chooseMode(out: SchedulerOutput<SimRequest>): number {
    const { cost, options } = this.d;
    return this.chooser.choose(
      { chunks: out.counts, decodeTokens: out.decodeTokens, waiting: out.waiting, kvUsage: out.kvBlocksUsed / this.kv.capacity },
      (m) => cost.time(m, out),
      options.onDecision && ((iteration, id) => options.onDecision!(this.index, iteration, id)),
    );
  }

  private wakeAt(t: number): void {
    this.wakeQueued = true;
    this.d.events.push(t, EventType.Wake, this.index);
  }

  /** Schedules an iteration at `now` and queues its end; nothing when nothing can be scheduled. */
  private start(now: number): void {
    const out = this.scheduler.schedule();
    if (out.tokens === 0) {
      // A pipelined schedule can preempt and still schedule nothing (the grower was the victim).
      this.d.metrics.preemptions += out.preempted;
      if (this.inFlight.length === 0 && this.hasWork) throw new Error(`engine ${this.index}: work is queued but nothing could be scheduled (simulator bug)`);
      return;
    }
    const { cost } = this.d;
    const modeIndex = this.chooser.fixed ? 0 : this.chooseMode(out);
    const dt = cost.time(modeIndex, out, this.d.metrics.breakdown);
    if (!(dt > 0)) throw new Error(`engine ${this.index}: the cost model priced an iteration of ${out.tokens} tokens at ${dt} s`);
    const k = this.d.stages;
    const stage = dt / k;
    let f = now;
    for (let j = 0; j < k; j++) {
      f = Math.max(f, this.stageFree[j]!) + stage;
      this.stageFree[j] = f;
    }
    this.inFlight.push({ out, modeIndex, start: now });
    this.d.events.push(f, EventType.StepEnd, this.index);
    if (k > 1 && this.inFlight.length < k) this.wakeAt(this.stageFree[0]!);
  }
}
