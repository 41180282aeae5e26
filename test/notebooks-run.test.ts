import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { committedNotebooks, runNotebooks } from '../scripts/notebooks/run.ts';
import { formatSummary } from '../scripts/notebooks/summary.ts';

// Executes notebooks in a real Jupyter (Debian's jupyter-nbconvert) with the tslab kernel; a
// machine without Jupyter fails here with the apt-get line to run (CI installs it).

const OUT = join(process.cwd(), 'results', 'test-output', 'notebooks');

test('every committed notebook runs in Jupyter without a cell error', () => {
  rmSync(OUT, { recursive: true, force: true });
  const results = runNotebooks({ notebooks: committedNotebooks(), outDir: OUT });
  console.log(formatSummary(results, OUT));
  assert.equal(results.filter((r) => !r.ok).map((r) => r.notebook), [], formatSummary(results, OUT));
});

test('a failing cell fails the run, named with its source and error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlab-nb-'));
  const code = (source: string) => ({ cell_type: 'code', execution_count: null, id: `c${source.length}`, metadata: {}, outputs: [], source });
  const nb = {
    cells: [code("console.log('before')"), code("throw new Error('deliberate failure 42')"), code("console.log('after the failure')")],
    metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(dir, 'failing.ipynb'), JSON.stringify(nb));
  const [r] = runNotebooks({ notebooks: [join(dir, 'failing.ipynb')], outDir: join(dir, 'out') });
  assert.is(r!.ok, false);
  assert.is(r!.failure?.cell, 1);
  assert.match(r!.failure!.source, "throw new Error('deliberate failure 42')");
  assert.match(r!.failure!.output, 'deliberate failure 42');
  assert.match(formatSummary([r!], dir), /FAIL .*failing\.ipynb.*cell 2 failed/);
});

test.run();
