#!/usr/bin/env node
// npm run build:cuda — builds build/cuda/Release/shiftlab_cuda.node with cmake-js, offline.
//
// Exit status: 0 when the addon was built; 1 on any build error (so CI fails on a compile
// error), and 1 when no CUDA compiler is found, unless SHIFTLAB_SKIP_CUDA_BUILD=1 says that a
// machine without nvcc may skip the build (then 0, with a line saying it was skipped).
// Environment: CUDACXX or PATH locates nvcc (else /usr/local/cuda/bin/nvcc); BUILD_JOBS caps
// the parallel compile jobs.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build', 'cuda');
const addon = path.join(out, 'Release', 'shiftlab_cuda.node');

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findNvcc() {
  if (process.env.CUDACXX) return executable(process.env.CUDACXX) ? process.env.CUDACXX : null;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/cuda/bin'];
  return dirs.map((d) => path.join(d, 'nvcc')).find(executable) ?? null;
}

const nvcc = findNvcc();
if (!nvcc) {
  const why = process.env.CUDACXX ? `CUDACXX=${process.env.CUDACXX} is not an executable` : 'nvcc is not on PATH nor in /usr/local/cuda/bin';
  if (process.env.SHIFTLAB_SKIP_CUDA_BUILD === '1') {
    console.log(`build:cuda skipped: no CUDA compiler (${why}); SHIFTLAB_SKIP_CUDA_BUILD=1 allows this`);
    process.exit(0);
  }
  console.error(`build:cuda failed: no CUDA compiler (${why}).\nInstall the CUDA toolkit (nvcc ≥ 12), set CUDACXX, or set SHIFTLAB_SKIP_CUDA_BUILD=1 to skip the addon on this machine.`);
  process.exit(1);
}

const jobs = Number(process.env.BUILD_JOBS ?? availableParallelism());
const cmakeJs = path.join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
const args = [cmakeJs, 'build', '--directory', path.join(root, 'cuda'), '--out', out, '--parallel', String(jobs), `--CDCMAKE_CUDA_COMPILER=${nvcc}`];
console.log(`build:cuda: ${nvcc}, ${jobs} jobs → ${path.relative(root, addon)}`);
const started = Date.now();
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (run.status !== 0 || !existsSync(addon)) {
  console.error(`build:cuda failed (${run.error?.message ?? `cmake-js exited with ${run.status ?? run.signal}`}); see the compiler output above.`);
  process.exit(1);
}
console.log(`build:cuda: built ${path.relative(root, addon)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
