import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Finding Jupyter (Debian's packages) and installing the tslab kernelspec into a private
 * prefix, so a run needs no per-user setup and leaves none behind.
 */
const APT_PACKAGES = 'jupyter-nbconvert jupyter-client python3-ipykernel';

export class JupyterMissingError extends Error {
  override readonly name = 'JupyterMissingError';
}

function ok(cmd: string, args: readonly string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** A python3 that can run tslab's kernelspec installer (it needs jupyter_client and IPython). */
export function jupyterPython(): string {
  const candidates = [process.env.JUPYTER_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => p !== undefined);
  const found = candidates.find((p) => ok(p, ['-c', 'import jupyter_client, IPython']));
  if (found !== undefined) return found;
  throw new JupyterMissingError(
    `no python3 with jupyter_client and IPython (tried ${candidates.join(', ')}); install Debian's Jupyter: apt-get install -y --no-install-recommends ${APT_PACKAGES}, or set JUPYTER_PYTHON`,
  );
}

export function assertNbconvert(): void {
  if (ok('jupyter', ['nbconvert', '--version'])) return;
  throw new JupyterMissingError(`'jupyter nbconvert' is not available; install it: apt-get install -y --no-install-recommends ${APT_PACKAGES}`);
}

/** The tslab launcher of this checkout (node_modules/.bin/tslab). */
function tslabBin(): string {
  const require = createRequire(import.meta.url);
  const root = dirname(dirname(require.resolve('tslab/package.json')));
  const bin = join(root, '.bin', 'tslab');
  if (!existsSync(bin)) throw new JupyterMissingError(`${bin} is missing; run npm ci (tslab is a devDependency)`);
  return bin;
}

/**
 * Installs the tslab kernelspecs (TypeScript 'tslab', JavaScript 'jslab') under
 * `prefix`/share/jupyter/kernels with `tslab install`, non-interactively. Returns the directory
 * to put in JUPYTER_PATH.
 */
export function installTslabKernel(prefix: string): string {
  const bin = tslabBin();
  const r = spawnSync(bin, ['install', `--python=${jupyterPython()}`, `--binary=${bin}`, `--prefix=${prefix}`], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    throw new JupyterMissingError(`tslab install --prefix=${prefix} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  }
  return join(prefix, 'share', 'jupyter');
}
