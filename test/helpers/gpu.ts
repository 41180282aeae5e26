import { type Test, suite } from 'uvu';
import { type CudaStatus, cudaStatus } from '../../src/ops/cuda-addon.ts';

/**
 * GPU test suites: on a machine with a CUDA device they run; without one every test is
 * registered with uvu's skip (so the runner counts it as skipped, never passed) and, when the
 * process exits, one line says how many: "N GPU tests skipped: no CUDA device (reason)".
 */
const GPU: CudaStatus = cudaStatus();

const skipped = { count: 0 };
if (!GPU.available) {
  process.on('exit', () => {
    if (skipped.count > 0) console.log(`${skipped.count} GPU tests skipped: no CUDA device (${GPU.available ? '' : GPU.reason})`);
  });
}

/** A uvu suite whose tests are skipped (and counted) when no CUDA device is usable. */
export function gpuSuite(name: string): Test {
  const s = suite(name);
  if (GPU.available) return s;
  const skip = ((title: string, fn: Parameters<Test>[1]) => {
    skipped.count++;
    s.skip(title, fn);
  }) as Test;
  // Hooks would create GPU state: without a device they are dropped along with the tests.
  const noHook = Object.assign(() => {}, { each: () => {} });
  return Object.assign(skip, { only: skip, skip: s.skip, before: noHook, after: noHook, run: () => s.run() });
}
