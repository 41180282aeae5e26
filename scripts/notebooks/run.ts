import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NotebookResult, executeNotebook } from './execute.ts';
import { assertNbconvert, installTslabKernel } from './jupyter.ts';

/** The committed notebooks: notebooks/*.ipynb, in name order. */
const NOTEBOOKS_DIR = fileURLToPath(new URL('../../notebooks/', import.meta.url));

export function committedNotebooks(): string[] {
  return readdirSync(NOTEBOOKS_DIR).filter((f) => f.endsWith('.ipynb')).sort().map((f) => join(NOTEBOOKS_DIR, f));
}

export interface RunNotebooksOptions {
  readonly notebooks: readonly string[];
  /** Executed copies, the kernelspec (jupyter/) and the notebooks' experiment results (results/) go here. */
  readonly outDir: string;
  /** Seconds one cell may run (default 180). */
  readonly cellTimeout?: number;
}

/**
 * Installs the tslab kernelspec under `outDir` and executes every notebook in turn. The
 * notebooks write experiment results under `outDir`/results (they read SHIFTLAB_RESULTS).
 */
export function runNotebooks(o: RunNotebooksOptions): NotebookResult[] {
  const outDir = resolve(o.outDir);
  mkdirSync(outDir, { recursive: true });
  assertNbconvert();
  const jupyterPath = installTslabKernel(join(outDir, 'jupyter'));
  const env = { SHIFTLAB_RESULTS: join(outDir, 'results') };
  return o.notebooks.map((nb) => executeNotebook(resolve(nb), { outDir, jupyterPath, cellTimeout: o.cellTimeout ?? 180, env }));
}
