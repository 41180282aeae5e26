import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Executes one notebook with `jupyter nbconvert --to notebook --execute` in the tslab kernel,
 * writing the executed copy to another directory (the committed notebook is never rewritten).
 * nbconvert stops at the first failing cell and exits non-zero; nbconvert-hooks.py reports
 * that cell on stderr, since tslab's error reply is empty.
 */
export interface ExecuteOptions {
  readonly outDir: string;
  /** JUPYTER_PATH entry holding the tslab kernelspec (see installTslabKernel). */
  readonly jupyterPath: string;
  /** Seconds one cell may run. */
  readonly cellTimeout: number;
  /** Extra environment for the kernel. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface CellFailure {
  /** Index among all cells, markdown included (0-based, as nbclient counts). */
  readonly cell: number;
  readonly source: string;
  /** What the cell printed, the error included. */
  readonly output: string;
}

export interface NotebookResult {
  readonly notebook: string;
  /** The executed copy (absent when the run failed before writing it). */
  readonly executed: string;
  readonly ok: boolean;
  readonly seconds: number;
  /** Code cells run, and the slowest of them (from nbclient's timing metadata). */
  readonly cellsRun: number;
  readonly slowest?: { readonly cell: number; readonly seconds: number };
  readonly failure?: CellFailure;
  /** nbconvert's stderr when it failed outside any cell (kernel did not start, timeout, ...). */
  readonly log?: string;
}

const HOOKS = fileURLToPath(new URL('./nbconvert-hooks.py', import.meta.url));
const MARKER = 'shiftlab-cell-error: ';

export function executeNotebook(file: string, o: ExecuteOptions): NotebookResult {
  const executed = join(o.outDir, basename(file));
  const args = [
    'nbconvert', '--to', 'notebook', '--execute', `--config=${HOOKS}`,
    '--ExecutePreprocessor.kernel_name=tslab', `--ExecutePreprocessor.timeout=${o.cellTimeout}`, '--ExecutePreprocessor.startup_timeout=120',
    `--output-dir=${o.outDir}`, file,
  ];
  const env = { ...process.env, ...o.env, JUPYTER_PATH: o.jupyterPath, JUPYTER_RUNTIME_DIR: join(o.outDir, 'runtime'), PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  const started = performance.now();
  const r = spawnSync('jupyter', args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  const ok = r.error === undefined && r.status === 0;
  const failure = cellFailure(r.stderr ?? '');
  const timing = ok && existsSync(executed) ? cellTimes(executed) : { cellsRun: 0 };
  return {
    notebook: file, executed, ok, seconds, ...timing,
    ...(failure === undefined ? {} : { failure }),
    ...(ok || failure !== undefined ? {} : { log: `${r.error?.message ?? ''}${r.stderr ?? ''}`.trim() }),
  };
}

function cellFailure(stderr: string): CellFailure | undefined {
  const line = stderr.split('\n').find((l) => l.startsWith(MARKER));
  return line === undefined ? undefined : (JSON.parse(line.slice(MARKER.length)) as CellFailure);
}

interface TimedCell {
  readonly cell_type: string;
  readonly metadata?: { readonly execution?: Record<string, string> };
}

function cellTimes(executed: string): Pick<NotebookResult, 'cellsRun' | 'slowest'> {
  const cells = (JSON.parse(readFileSync(executed, 'utf8')) as { cells: TimedCell[] }).cells;
  const times = cells.flatMap((c, cell) => {
    const t = c.metadata?.execution;
    const [busy, idle] = [t?.['iopub.status.busy'], t?.['iopub.status.idle']];
    return c.cell_type === 'code' && busy !== undefined && idle !== undefined ? [{ cell, seconds: (Date.parse(idle) - Date.parse(busy)) / 1000 }] : [];
  });
  const slowest = times.reduce<{ cell: number; seconds: number } | undefined>((a, t) => (a === undefined || t.seconds > a.seconds ? t : a), undefined);
  return { cellsRun: times.length, ...(slowest === undefined ? {} : { slowest }) };
}
