import type { TraceRequest } from '../../traces/types.ts';

/** What a router may look at on each DP replica when a request arrives. */
export interface ReplicaLoad {
  readonly index: number;
  /** Requests queued, not yet scheduled. */
  readonly waitingCount: number;
  /** Requests being served (prefilling or decoding). */
  readonly runningCount: number;
}

/** Spreads arriving requests over DP replicas (the front end of `--data-parallel-size`). */
export interface Router {
  readonly name: string;
  /** The index of the replica that serves `request`. */
  route(request: TraceRequest, replicas: readonly ReplicaLoad[]): number;
}
