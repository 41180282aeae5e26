import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * A new user's first `npm test` on a fresh clone must be green: nothing may require a build
 * step the README's test command does not run. The CUDA addon is the case in point: on a
 * machine with nvcc but without `npm run build:cuda` run yet, its test is skipped, saying how
 * to build it (CI builds it before the tests).
 */
const repo = fileURLToPath(new URL('..', import.meta.url));

test('with nvcc on the PATH and no addon built, the CUDA host tests pass and say how to build it', () => {
  const bin = mkdtempSync(join(tmpdir(), 'fake-nvcc-'));
  writeFileSync(join(bin, 'nvcc'), '#!/bin/sh\nexit 1\n');
  chmodSync(join(bin, 'nvcc'), 0o755);
  const missing = join(bin, 'shiftlab_cuda.node');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'node_modules/uvu/bin.js'), 'test', 'cuda-host\\.test\\.ts$'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, SHIFTLAB_CUDA_ADDON: missing, FORCE_COLOR: '0' },
  });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, `1 CUDA addon test skipped: the addon is not built (${missing}); build it with: npm run build:cuda`);
});

test.run();
