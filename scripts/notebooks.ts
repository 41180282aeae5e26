/**
 * Executes the notebooks in a real Jupyter with the tslab kernel and fails if any cell fails.
 *   node_modules/.bin/tsx scripts/notebooks.ts [--out DIR] [--cell-timeout S] [notebook.ipynb ...]
 * Default: every notebooks/*.ipynb, executed copies in results/notebooks (git-ignored).
 * Exit status: 0 all passed, 1 a notebook failed, 2 Jupyter is missing.
 */
import { parseArgs } from 'node:util';
import { JupyterMissingError } from './notebooks/jupyter.ts';
import { committedNotebooks, runNotebooks } from './notebooks/run.ts';
import { formatSummary } from './notebooks/summary.ts';

const USAGE = `usage: yarn notebooks [--out DIR] [--cell-timeout S] [notebook.ipynb ...]

Executes notebooks in Jupyter (Debian's jupyter-nbconvert) with the tslab TypeScript kernel,
writing executed copies to --out (default results/notebooks; the committed notebooks are never
rewritten). Default: every notebooks/*.ipynb. Exit status: 0 all passed, 1 a cell failed,
2 Jupyter is missing or an argument is wrong.`;

let parsed;
try {
  parsed = parseArgs({
    options: { out: { type: 'string', default: 'results/notebooks' }, 'cell-timeout': { type: 'string', default: '180' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
} catch (e) {
  console.error(`error: ${(e as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const cellTimeout = Number(values['cell-timeout']);
if (!Number.isFinite(cellTimeout) || cellTimeout <= 0) {
  console.error(`error: --cell-timeout must be a positive number of seconds, got '${values['cell-timeout']}'`);
  process.exit(2);
}
const notebooks = positionals.length > 0 ? positionals : committedNotebooks();
try {
  const results = runNotebooks({ notebooks, outDir: values.out, cellTimeout });
  console.log(formatSummary(results, values.out));
  process.exit(results.every((r) => r.ok) ? 0 : 1);
} catch (e) {
  if (!(e instanceof JupyterMissingError)) throw e;
  console.error(`error: ${e.message}`);
  process.exit(2);
}
