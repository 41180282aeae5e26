import { type BatchRecord, batchRecordOf } from '../engine/batch-record.ts';
import { BlockPool } from '../engine/block-pool.ts';
import { Scheduler, type SchedulerOutput, type TokenSink } from '../engine/scheduler.ts';
import { EngineSeq, peakKvTokens } from '../engine/sequence.ts';
import type { Batch, SeqWork } from '../model/batch.ts';
import type { ModeId } from '../parallel/mode.ts';
import { Rng } from '../util/rng.ts';
import { type Executor, ExecutorError } from './types.ts';

export interface GenerateOptions {
  readonly promptLens: readonly number[];
  readonly maxNewTokens: number;
  /** New tokens per prompt (default maxNewTokens for every one). */
  readonly outputLens?: readonly number[];
  readonly seed: number;
  readonly vocab: number;
  /** Token budget of one iteration (vLLM's max_num_batched_tokens); prompts longer than what is left are chunked. */
  readonly maxBatchedTokens: number;
  /** Sequences per iteration (vLLM's max_num_seqs; default 1024, vLLM's). */
  readonly maxNumSeqs?: number;
  readonly blockSize: number;
  /** KV blocks per replica; when they run out the scheduler preempts (recompute). */
  readonly kvBlocks: number;
  /** Keep every iteration's logits (tests compare them with the reference). */
  readonly keepLogits?: boolean;
  /** Called after each iteration, e.g. for progress. */
  readonly onStep?: (iteration: number, mode: ModeId, tokens: number) => void;
}

export interface GenerateResult {
  readonly prompts: number[][];
  /** Generated token ids per sequence. */
  readonly tokens: number[][];
  /** Mode of each iteration. */
  readonly modes: ModeId[];
  /** Tokens scheduled in each iteration. */
  readonly scheduled: number[];
  /** Per iteration: logits by sequence id (only with keepLogits). */
  readonly logits: Map<number, Float32Array>[];
  /** Per iteration and replica: the batch the scheduler produced and the mode it ran in. */
  readonly batches: BatchRecord[];
  /** Preemptions (recompute) over the run. */
  readonly preemptions: number;
}

/** Seeded prompt token ids, one array per prompt length. */
export function makePrompts(lens: readonly number[], vocab: number, seed: number): number[][] {
  return lens.map((len, i) => {
    const rng = new Rng(`${seed}:prompt:${i}`);
    return Array.from({ length: len }, () => rng.int(0, vocab));
  });
}

export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

const DEFAULT_MAX_NUM_SEQS = 1024;

/**
 * Greedy generation driven by the engine's scheduler (src/engine/scheduler.ts, the simulator's
 * too): every prompt arrives at once, in order; each iteration schedules running sequences
 * first (decodes, prompt chunks, recomputes), then admits waiting ones within the token budget,
 * preempting by recompute when KV blocks run out. Sequence i lives on replica i mod R, each
 * replica with its own scheduler and block pool; one executor step runs every replica's batch.
 * A strategy that keeps k batches in flight gets k scheduled ahead, run here one after another
 * (the tokens are those of a pipeline: a sequence is in one batch at a time, batches apply in order).
 */
export async function generate(exec: Executor, o: GenerateOptions): Promise<GenerateResult> {
  const prompts = makePrompts(o.promptLens, o.vocab, o.seed);
  const limits = { maxNumBatchedTokens: o.maxBatchedTokens, maxNumSeqs: o.maxNumSeqs ?? DEFAULT_MAX_NUM_SEQS };
  const pools = Array.from({ length: exec.replicas }, () => new BlockPool(o.kvBlocks, o.blockSize));
  const schedulers = pools.map((pool) => new Scheduler<EngineSeq>({ ...limits, batchesInFlight: exec.batchesInFlight ?? 1 }, pool, null));
  // Token ids per sequence: the prompt, then each generated token as it is sampled.
  const ids = prompts.map((p) => [...p]);
  if (o.outputLens && o.outputLens.length !== prompts.length) {
    throw new ExecutorError(`outputLens has ${o.outputLens.length} entries for ${prompts.length} prompts`);
  }
  prompts.forEach((p, id) => {
    const output = o.outputLens?.[id] ?? o.maxNewTokens;
    if (pools[0]!.blocksFor(peakKvTokens(p.length, output)) > o.kvBlocks) {
      throw new ExecutorError(`out of KV blocks: prompt ${id} (${p.length} tokens) and ${output} new tokens need more than kvBlocks = ${o.kvBlocks} blocks of ${o.blockSize}`);
    }
    schedulers[id % exec.replicas]!.waiting.push(new EngineSeq(id, p.length, output));
  });
  const result: GenerateResult = { prompts, tokens: prompts.map(() => []), modes: [], scheduled: [], logits: [], batches: [], preemptions: 0 };
  let preemptions = 0;
  let logits: ReadonlyMap<number, Float32Array> = new Map();
  const sink: TokenSink<EngineSeq> = {
    token(s) {
      const l = logits.get(s.id);
      if (!l) throw new ExecutorError(`${exec.name}: no logits came back for sequence ${s.id}`);
      const next = argmax(l);
      ids[s.id]!.push(next);
      result.tokens[s.id]!.push(next);
    },
    finish: () => undefined,
  };
  // Batches in flight: up to k scheduled ahead (a sequence in at most one), run oldest first.
  const k = exec.batchesInFlight ?? 1;
  const queue: { outs: SchedulerOutput<EngineSeq>[]; batch: Batch }[] = [];
  for (;;) {
    while (queue.length < k) {
      const outs = schedulers.map((s) => s.schedule());
      const work = outs.flatMap((out, replica) => seqWork(out, replica, ids));
      if (work.length === 0) {
        // Preempting can leave nothing to schedule (a pipelined grower preempted itself): still counted.
        for (const out of outs) preemptions += out.preempted;
        break;
      }
      const waiting = outs.reduce((a, out) => a + out.waiting, 0);
      const kvUsage = pools.reduce((a, p) => a + p.used, 0) / (o.kvBlocks * pools.length);
      queue.push({ outs, batch: { seqs: work, waiting, kvUsage } });
    }
    const next = queue.shift();
    if (!next) {
      if (schedulers.some((s) => s.hasWork)) throw new ExecutorError(`${exec.name}: work is queued but nothing could be scheduled (scheduler bug)`);
      break;
    }
    const { outs, batch } = next;
    const tokens = batch.seqs.reduce((a, w) => a + w.tokens.length, 0);
    const step = await exec.step(batch);
    const mode = step.mode.id;
    for (const out of outs) {
      if (out.tokens > 0) result.batches.push(batchRecordOf(out, mode));
      preemptions += out.preempted;
    }
    result.modes.push(step.mode.id);
    result.scheduled.push(tokens);
    if (o.keepLogits) result.logits.push(new Map(step.logits));
    logits = step.logits;
    outs.forEach((out, r) => schedulers[r]!.update(out, result.modes.length, sink));
    o.onStep?.(result.modes.length, step.mode.id, tokens);
  }
  return { ...result, preemptions };
}

/** The executor's view of a scheduled batch: token ids, positions and block tables. */
function seqWork(out: SchedulerOutput<EngineSeq>, replica: number, ids: readonly number[][]): SeqWork[] {
  return out.reqs.map((s, k) => {
    const n = out.counts[k]!;
    return {
      id: s.id,
      replica,
      tokens: ids[s.id]!.slice(s.computed, s.computed + n),
      start: s.computed,
      blockTable: s.blockTable.slice(),
      sample: s.computed + n === s.tokens,
      decode: s.computed >= s.input,
    };
  });
}
