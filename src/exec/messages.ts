import type { LocalCommShared } from '../comm/local.ts';
import type { BackendName } from './backends.ts';
import type { HeadShard } from '../kv/heads.ts';
import type { Batch } from '../model/batch.ts';
import type { WeightSpec } from '../model/weight-spec.ts';
import type { CommRecord } from '../ops/trace.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import type { Mode, ModeId } from '../parallel/mode.ts';
import type { ParallelConfig, StrategyName } from '../strategies/types.ts';

/** Messages between the driver and a rank worker (structured-clone plain data). */
export interface InitMessage {
  readonly type: 'init';
  readonly rank: number;
  readonly backend: BackendName;
  readonly weights: WeightSpec;
  readonly strategy: StrategyName;
  readonly parallel: ParallelConfig;
  readonly kvBlocks: number;
  readonly blockSize: number;
  readonly order: FullTpOrder;
  readonly comm: LocalCommShared;
}

export interface StepMessage {
  readonly type: 'step';
  readonly batch: Batch;
  readonly mode: Mode;
}

export interface ReadKvMessage {
  readonly type: 'read-kv';
}

export type ToRank = InitMessage | StepMessage | ReadKvMessage;

export type FromRank =
  | { readonly type: 'ready'; readonly kvHeads: Readonly<Record<ModeId, HeadShard>> }
  | {
      readonly type: 'done';
      readonly logits?: { readonly seqIds: readonly number[]; readonly data: Float32Array; readonly vocab: number };
      readonly comm: readonly CommRecord[];
    }
  | { readonly type: 'kv'; readonly data: Float32Array }
  | { readonly type: 'error'; readonly name: string; readonly message: string };
