import { createReferenceExecutor } from '../../src/exec/reference-executor.ts';
import { type GenerateOptions, type GenerateResult, generate } from '../../src/exec/generate.ts';
import { type ExecutorOptions, createWorkerExecutor } from '../../src/exec/worker-executor.ts';

/** The issue-2 workload: prompts not multiples of s, chunked so batches mix prefill and decode. */
export const WORKLOAD: GenerateOptions = {
  promptLens: [5, 17, 33, 64],
  maxNewTokens: 16,
  seed: 1,
  vocab: 512,
  maxBatchedTokens: 64,
  blockSize: 16,
  kvBlocks: 64,
  keepLogits: true,
};

let reference: Promise<GenerateResult> | undefined;

/** The single-device reference run of WORKLOAD on `tiny` (computed once per test process). */
export function referenceRun(): Promise<GenerateResult> {
  reference ??= generate(createReferenceExecutor({ model: 'tiny', seed: 1, kvBlocks: 64, blockSize: 16 }), WORKLOAD);
  return reference;
}

/** Runs WORKLOAD on a worker executor and always closes it. */
export async function workerRun(o: Omit<ExecutorOptions, 'seed' | 'kvBlocks' | 'blockSize' | 'model'> & { model?: string }, workload: GenerateOptions = WORKLOAD): Promise<GenerateResult> {
  const exec = await createWorkerExecutor({ model: 'tiny', seed: 1, kvBlocks: 64, blockSize: 16, ...o });
  try {
    return await generate(exec, workload);
  } finally {
    await exec.close();
  }
}

/** max |a − b| / max |b| over one logits vector. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  b.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(a[i]! - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return diff / scale;
}

/**
 * The worst relative error over every sampled logits vector, matched by (sequence, k-th sample):
 * DP replicas schedule their sequences independently (a token budget each), so the iterations
 * need not line up with the single-device reference's, but each sequence's samples must.
 */
export function worstLogitError(run: GenerateResult, ref: GenerateResult): { error: number; where: string } {
  const bySeq = (r: GenerateResult): Map<number, Float32Array[]> => {
    const m = new Map<number, Float32Array[]>();
    for (const byId of r.logits) byId.forEach((l, id) => m.set(id, [...(m.get(id) ?? []), l]));
    return m;
  };
  const got = bySeq(run);
  let worst = { error: 0, where: 'nowhere' };
  bySeq(ref).forEach((expected, id) => {
    const mine = got.get(id) ?? [];
    if (mine.length !== expected.length) worst = { error: Infinity, where: `sequence ${id}: ${mine.length} samples, reference ${expected.length}` };
    expected.forEach((e, k) => {
      const error = mine[k] ? relativeError(mine[k], e) : Infinity;
      if (error > worst.error) worst = { error, where: `sequence ${id}, sample ${k}` };
    });
  });
  return worst;
}
