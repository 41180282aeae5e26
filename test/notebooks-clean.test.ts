import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { committedNotebooks } from '../scripts/notebooks/run.ts';
import { type Notebook, uncleanParts } from './helpers/notebook-clean.ts';

const read = (file: string): Notebook => JSON.parse(readFileSync(file, 'utf8')) as Notebook;

test('the three notebooks are committed', () => {
  assert.equal(committedNotebooks().map((f) => basename(f)), ['01-quickstart.ipynb', '02-custom-policy.ipynb', '03-kv-layout.ipynb']);
});

test('committed notebooks have no outputs or execution counts and use the tslab kernel', () => {
  const problems = committedNotebooks().flatMap((f) => uncleanParts(read(f)).map((p) => `${basename(f)}: ${p}`));
  assert.equal(problems, [], `clear them with: jupyter nbconvert --clear-output --inplace notebooks/*.ipynb\n${problems.join('\n')}`);
});

test('the check finds outputs, execution counts and another kernel', () => {
  const executed: Notebook = {
    cells: [
      { cell_type: 'markdown' },
      { cell_type: 'code', execution_count: 3, outputs: [{ output_type: 'stream', name: 'stdout', text: 'hi' }] },
      { cell_type: 'code', execution_count: null, outputs: [] },
    ],
    metadata: { kernelspec: { name: 'python3' } },
  };
  assert.equal(uncleanParts(executed), ['cell 1 has 1 output(s)', 'cell 1 has execution count 3', "kernelspec is 'python3', not 'tslab'"]);
});

test.run();
