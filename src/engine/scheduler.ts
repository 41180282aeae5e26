import type { PrefillChunk } from '../cost/attention.ts';
import type { IterationShape } from '../cost/iteration.ts';
import type { BlockPool } from './block-pool.ts';
import { Deque } from '../util/deque.ts';
import type { PrefixCache } from './prefix-cache.ts';
import { type EngineSeq, isDecodeStep } from './sequence.ts';

/**
 * One iteration's schedule: plain data that the cost model (it is an IterationShape), the
 * switching policy, the simulator and the executor read; nothing reaches back into the
 * scheduler. The executor turns it into SeqWork (token ids, block tables); the simulator prices it.
 */
export interface SchedulerOutput<S extends EngineSeq = EngineSeq> extends IterationShape {
  /** Scheduled sequences and their token counts, in batch order (running first). */
  readonly reqs: readonly S[];
  readonly counts: readonly number[];
  /** Scheduled tokens that are generated ones (one per decoding request). */
  readonly decodeTokens: number;
  /** Requests preempted (recompute) to make room this iteration. */
  readonly preempted: number;
  /** Requests still waiting after this schedule. */
  readonly waiting: number;
  readonly kvBlocksUsed: number;
}

/** Receives the tokens and completions an iteration produced. */
export interface TokenSink<S extends EngineSeq> {
  /** `r` sampled a token at `now` (r.generated already counts it). */
  token(r: S, now: number): void;
  /** `r` generated its last token; its blocks are freed. */
  finish(r: S): void;
}

const NO_CHUNKS: readonly PrefillChunk[] = [];

export interface SchedulerLimits {
  readonly maxNumBatchedTokens: number;
  readonly maxNumSeqs: number;
  /** Batches the engine keeps in flight (default 1): above 1, scheduled sequences are marked in flight until applied. */
  readonly batchesInFlight?: number;
}

/**
 * vLLM V1's scheduler for one engine (vllm/v1/core/sched/scheduler.py, FCFS), shared by the
 * simulator and the executor:
 *  1. Running requests in order, each its remaining tokens (1 for a decode, the rest of a
 *     chunked prompt) within the token budget. When KV blocks run out, the last running
 *     request is preempted (its blocks freed, its KV recomputed later: it goes back to the
 *     front of the waiting queue), until the current one fits or was itself the victim.
 *  2. If nothing was preempted, waiting requests in arrival order while budget, max_num_seqs
 *     and blocks allow; a prompt longer than the budget left is chunked (chunked prefill).
 * With batches in flight (a pipelined engine), a request of an unfinished batch is skipped and
 * never chosen as a preemption victim; a request that would have to preempt itself while a
 * lower-ranked one is in flight waits for that batch instead (and nothing new is admitted
 * meanwhile). With one batch at a time nothing is ever in flight here.
 */
export class Scheduler<S extends EngineSeq = EngineSeq> {
  readonly waiting = new Deque<S>();
  running: S[] = [];
  /** Whether sequences are marked in flight (a pipelined engine); one batch at a time needs no marks. */
  private readonly pipelined: boolean;

  constructor(
    private readonly limits: SchedulerLimits,
    private readonly kv: BlockPool,
    private readonly prefix: PrefixCache | null,
  ) {
    this.pipelined = (limits.batchesInFlight ?? 1) > 1;
  }

  get hasWork(): boolean {
    return this.waiting.length > 0 || this.running.length > 0;
  }

  schedule(): SchedulerOutput<S> {
    const reqs: S[] = [];
    const counts: number[] = [];
    let budget = this.limits.maxNumBatchedTokens;
    let preempted = 0;
    let stalled = false;
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const r = this.running[i]!;
      if (r.inFlight) continue;
      const n = Math.min(r.tokens - r.computed, budget);
      let fits = this.kv.grow(r, r.computed + n);
      while (!fits) {
        const victim = this.popVictim(r);
        if (victim === null) break;
        this.preempt(victim);
        preempted++;
        if (victim === r) break;
        fits = this.kv.grow(r, r.computed + n);
      }
      if (!fits) {
        stalled = true;
        break;
      }
      if (this.pipelined) r.inFlight = true;
      reqs.push(r);
      counts.push(n);
      budget -= n;
    }
    // A request waiting for blocks held in flight keeps its place: admitting others would take them.
    if (preempted === 0 && !stalled) budget = this.admit(reqs, counts, budget);
    return this.output(reqs, counts, preempted);
  }

  /** Moves waiting requests into the batch while budget, seats and blocks allow. */
  private admit(reqs: S[], counts: number[], budget: number): number {
    while (budget > 0 && this.running.length < this.limits.maxNumSeqs) {
      const r = this.waiting.peek();
      if (!r) break;
      if (r.computed === 0 && this.prefix && r.hashIds) {
        // A cache hit skips prefill compute; at least one prompt token is recomputed to sample.
        r.cachedTokens = Math.min(this.prefix.lookup(r.hashIds), r.tokens - 1);
        r.computed = r.cachedTokens;
      }
      const n = Math.min(r.tokens - r.computed, budget);
      if (!this.kv.grow(r, r.computed + n)) {
        r.computed = 0;
        r.cachedTokens = 0;
        break;
      }
      this.waiting.shift();
      this.running.push(r);
      if (this.pipelined) r.inFlight = true;
      reqs.push(r);
      counts.push(n);
      budget -= n;
    }
    return budget;
  }

  /**
   * The last running request that is not in flight (there is one: `grower`, the request being
   * grown), or null when that is `grower` itself while requests after it are in flight: those
   * rank below it, so it waits for their batch to finish and preempts one of them then. Preempting
   * itself instead would let two requests that cannot fit together preempt each other forever,
   * each always finding the other in flight.
   */
  private popVictim(grower: S): S | null {
    const last = this.running.length - 1;
    if (!this.running[last]!.inFlight) return this.running.pop()!;
    let k = last;
    while (this.running[k]!.inFlight) k--;
    if (this.running[k] === grower) return null;
    return this.running.splice(k, 1)[0]!;
  }

  private preempt(r: S): void {
    this.kv.free(r);
    r.computed = 0;
    r.preemptions++;
    this.waiting.unshift(r);
  }

  private output(reqs: S[], counts: number[], preempted: number): SchedulerOutput<S> {
    let tokens = 0;
    let sampled = 0;
    let decodes = 0;
    let decodeContext = 0;
    let chunks: PrefillChunk[] | null = null;
    for (let k = 0; k < reqs.length; k++) {
      const r = reqs[k]!;
      const n = counts[k]!;
      tokens += n;
      if (r.computed + n === r.tokens) sampled++;
      if (isDecodeStep(n, r.computed, r.input)) {
        // One generated token attending to its context (a decode, or the tail of a recompute).
        decodes++;
        decodeContext += r.computed + 1;
      } else {
        (chunks ??= []).push({ q: n, ctx: r.computed + n });
      }
    }
    return {
      reqs, counts, tokens, sampled, seqs: reqs.length, decodes, decodeContext, chunks: chunks ?? NO_CHUNKS,
      decodeTokens: decodes, preempted, waiting: this.waiting.length, kvBlocksUsed: this.kv.used,
    };
  }

  /**
   * Applies a finished iteration: KV computed, tokens sampled at `now`, reported to `sink`; a
   * request that generated its last token frees its blocks and leaves the running list.
   */
  update(out: SchedulerOutput<S>, now: number, sink: TokenSink<S>): void {
    let finished = 0;
    for (let k = 0; k < out.reqs.length; k++) {
      const r = out.reqs[k]!;
      if (this.pipelined) r.inFlight = false;
      const before = r.computed;
      r.computed += out.counts[k]!;
      if (this.prefix && r.hashIds && before < r.input && r.computed >= r.input) this.prefix.insert(r.hashIds);
      if (r.computed !== r.tokens) continue;
      r.generated++;
      sink.token(r, now);
      if (r.finished) {
        this.kv.free(r);
        sink.finish(r);
        finished++;
      }
    }
    if (finished > 0) this.running = this.running.filter((r) => !r.finished);
  }
}
