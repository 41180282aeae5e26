import { relative } from 'node:path';
import type { NotebookResult } from './execute.ts';

/**
 * The summary printed after a run:
 *   notebooks: 3 run, 1 failed (executed copies in results/notebooks; cells counted from 1, ...)
 *     ok    notebooks/01-quickstart.ipynb      6.1 s   6 cells, slowest: cell 2 (3.2 s)
 *     FAIL  notebooks/02-custom-policy.ipynb   4.0 s   cell 5 failed:
 *           | <the cell's source>
 *           > <what it printed>
 */
const MAX_LINES = 40;

/** `path` relative to the cwd when it lies inside it, else as given. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : rel;
}

function indent(text: string, prefix: string): string {
  const lines = text.trimEnd().split('\n');
  const out = lines.slice(0, MAX_LINES).map((l) => `${prefix}${l}`);
  if (lines.length > MAX_LINES) out.push(`${prefix}... (${lines.length - MAX_LINES} more lines)`);
  return out.join('\n');
}

function line(r: NotebookResult, width: number): string {
  const name = shown(r.notebook).padEnd(width);
  const time = `${r.seconds.toFixed(1)} s`.padStart(7);
  if (r.ok) {
    const slow = r.slowest === undefined ? '' : `, slowest: cell ${r.slowest.cell + 1} (${r.slowest.seconds.toFixed(1)} s)`;
    return `  ok    ${name} ${time}   ${r.cellsRun} cells${slow}`;
  }
  if (r.failure !== undefined) {
    return `  FAIL  ${name} ${time}   cell ${r.failure.cell + 1} failed:\n${indent(r.failure.source, '        | ')}\n${indent(r.failure.output || '(no output)', '        > ')}`;
  }
  return `  FAIL  ${name} ${time}   nbconvert failed outside any cell:\n${indent(r.log ?? '', '        > ')}`;
}

export function formatSummary(results: readonly NotebookResult[], outDir: string): string {
  const failed = results.filter((r) => !r.ok).length;
  const width = Math.max(...results.map((r) => shown(r.notebook).length));
  const head = `notebooks: ${results.length} run, ${failed} failed (executed copies in ${shown(outDir)}; cells counted from 1, markdown included)`;
  return [head, ...results.map((r) => line(r, width))].join('\n');
}
