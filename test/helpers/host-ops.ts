import type { Ops } from '../../src/ops/types.ts';

/** A host tensor: a Float32Array and its shape. */
export interface HostTensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** The part of Ops a LocalComm uses, over plain host arrays (for the communicator tests' rank workers). */
export const hostOps = {
  upload: (data: Float32Array, shape: readonly number[]): HostTensor => ({ data, shape }),
  download: (x: HostTensor): Float32Array => x.data,
  shape: (x: HostTensor): readonly number[] => x.shape,
  scope: <R>(fn: () => R): R => fn(),
} as unknown as Ops<unknown>;
