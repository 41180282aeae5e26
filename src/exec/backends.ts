import { CudaComm } from '../comm/cuda.ts';
import { LocalComm, type LocalCommShared } from '../comm/local.ts';
import type { Comm } from '../comm/types.ts';
import { requireCuda } from '../ops/cuda-addon.ts';
import { type CudaDtype, createCudaOps } from '../ops/cuda.ts';
import { createTfjsOps } from '../ops/tfjs.ts';
import type { Ops } from '../ops/types.ts';

/**
 * Backends a rank worker can compute on: 'tfjs' (CPU), 'cuda' (our kernels in float32, exact
 * to rounding) and 'cuda-bf16' (bf16 matrices on the tensor cores). On the cuda backends rank r
 * uses GPU r mod (visible GPUs); ranks sharing a GPU each get their own stream.
 */
export type BackendName = 'tfjs' | 'cuda' | 'cuda-bf16';

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
    case 'cuda':
    case 'cuda-bf16': {
      const dtype: CudaDtype = name === 'cuda' ? 'float32' : 'bf16';
      const ops = createCudaOps({ dtype, device: rank % requireCuda().probe.devices });
      return { ops: ops as Ops<unknown, unknown>, comm: new CudaComm(rank, shared, ops) as Comm<unknown> };
    }
  }
}
