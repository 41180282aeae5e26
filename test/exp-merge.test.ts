import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadExperiment } from '../src/exp/config/load.ts';
import { MergeError, mergeRuns } from '../src/exp/merge.ts';
import { runExperiment } from '../src/exp/runner.ts';
import { RunDir } from '../src/exp/store.ts';
import { expInProcess } from './helpers/exp-cli.ts';

/** `merge` takes each shard once, of one version, and never writes into an existing run. */
const tmp = mkdtempSync(join(tmpdir(), 'exp-merge-'));
const tiny = fileURLToPath(new URL('./fixtures/exp/tiny.yaml', import.meta.url));
let n = 0;
const fresh = (): string => join(tmp, `m${n++}`);
const shards: string[] = [];

const merge = suite('yarn exp merge');

merge.before(async () => {
  const e = await loadExperiment(tiny);
  for (const index of [1, 2]) {
    const out = join(tmp, `shard-${index}`);
    const o = await runExperiment(e, { out, jobs: 1, shard: { index, count: 2 } });
    assert.equal(o.failed, []);
    shards.push(out);
  }
});

const refused = (dirs: string[], pattern: RegExp): void => {
  assert.throws(() => mergeRuns(dirs, fresh()), (e: Error) => e instanceof MergeError && pattern.test(e.message));
};

merge('the same shard given twice is refused, naming both copies', () => {
  const [one, two] = shards as [string, string];
  refused([one, two, one], new RegExp(`${one} and ${one}: the same directory, given 2 times`));
  const copy = join(tmp, 'shard-1-copy');
  cpSync(one, copy, { recursive: true });
  // A copy (or a rerun) of shard 1 holds the same units: which one would count is arbitrary.
  refused([one, two, copy], new RegExp(`${one} \\(shard 1/2\\) and ${copy} \\(shard 1/2\\) both hold 6 unit\\(s\\)`));
  assert.ok(mergeRuns([one, two], fresh()).manifest().units.length === 9);
});

merge('shards computed with different code are refused, saying what differs', () => {
  const [one, two] = shards as [string, string];
  const other = join(tmp, 'shard-2-other-code');
  cpSync(two, other, { recursive: true });
  const dir = new RunDir(other);
  const m = dir.manifest();
  dir.writeManifest({ ...m, provenance: { ...m.provenance!, project: { ...m.provenance!.project, code_hash: 'ffffffffffffffff' } } });
  refused([one, other], /refusing to merge shards computed with different code or files[\s\S]*code hash [0-9a-f]{16} → ffffffffffffffff/);
});

merge('merging into a directory holding a run says to choose another --out (merge has no --resume)', async () => {
  const [one, two] = shards as [string, string];
  const r = await expInProcess(['merge', one, two, '--out', one]);
  assert.is(r.code, 2);
  assert.match(r.stderr, `error: ${one} already holds a run; merge writes a new directory: choose another --out`);
  assert.not.match(r.stderr, /--resume/);
});

merge.run();
