import type { HeadShard } from '../kv/heads.ts';
import type { Batch } from '../model/batch.ts';
import type { CommRecord } from '../ops/trace.ts';
import type { Mode } from '../parallel/mode.ts';

export interface StepResult {
  /** The mode this iteration ran in. */
  readonly mode: Mode;
  /** Logits [V] of every sampling sequence, by sequence id. */
  readonly logits: ReadonlyMap<number, Float32Array>;
  /** The collectives each rank ran, by rank. */
  readonly comm: readonly (readonly CommRecord[])[];
}

/** One parallel deployment that runs engine iterations. Every strategy implements it. */
export interface Executor {
  readonly name: string;
  readonly world: number;
  /** Independent KV pools: a sequence's blocks come from the pool of its replica. */
  readonly replicas: number;
  /** Batches the strategy keeps in flight (pipeline stages; 1 when absent). generate runs them one after another. */
  readonly batchesInFlight?: number;
  /** The modes this executor may run in. */
  readonly modes: readonly Mode[];
  step(batch: Batch): Promise<StepResult>;
  /** Per rank, the KV heads it reads and writes in `mode`, as reported by the ranks. */
  kvLayout(mode: Mode): readonly HeadShard[];
  close(): Promise<void>;
}

export class ExecutorError extends Error {
  override readonly name = 'ExecutorError';
}
