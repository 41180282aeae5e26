import type { ModeId } from '../parallel/mode.ts';
import type { SchedulerOutput } from './scheduler.ts';
import { isDecodeStep } from './sequence.ts';

/** What an engine ran in one iteration, comparable between the simulator and the executor. */
export interface BatchRecord {
  /** Sequence ids in batch order. */
  readonly ids: readonly number[];
  /** Tokens scheduled per sequence (1 for a decode, a chunk size for prefill or recompute). */
  readonly counts: readonly number[];
  /** Whether each sequence's scheduled token is a generated one (a decode). */
  readonly decodes: readonly boolean[];
  readonly mode: ModeId;
}

/** The record of a scheduled iteration (call before the scheduler applies it). */
export function batchRecordOf(out: SchedulerOutput, mode: ModeId): BatchRecord {
  return {
    ids: out.reqs.map((r) => r.id),
    counts: out.counts.slice(),
    decodes: out.reqs.map((r, k) => isDecodeStep(out.counts[k]!, r.computed, r.input)),
    mode,
  };
}
