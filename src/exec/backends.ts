import { LocalComm, type LocalCommShared } from '../comm/local.ts';
import type { Comm } from '../comm/types.ts';
import { createTfjsOps } from '../ops/tfjs.ts';
import type { Ops } from '../ops/types.ts';

/** Backends a rank worker can compute on. */
export type BackendName = 'tfjs';

export const BACKENDS: readonly BackendName[] = ['tfjs'];

export interface RankBackend {
  readonly ops: Ops<unknown, unknown>;
  readonly comm: Comm<unknown>;
}

/** The Ops and Comm of one rank on the named backend, inside its worker thread. */
export async function createRankBackend(name: BackendName, rank: number, shared: LocalCommShared): Promise<RankBackend> {
  switch (name) {
    case 'tfjs': {
      const ops = (await createTfjsOps()) as Ops<unknown, unknown>;
      return { ops, comm: new LocalComm(rank, shared, ops) };
    }
  }
}
