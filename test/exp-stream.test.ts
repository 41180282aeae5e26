import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadExperiment } from '../src/exp/config/load.ts';
import { MergeError, mergeRuns } from '../src/exp/merge.ts';
import { writeReport } from '../src/exp/report/index.ts';
import { runExperiment } from '../src/exp/runner.ts';
import type { UnitSummary } from '../src/exp/unit.ts';
import { SKETCH_RELATIVE_ACCURACY } from '../src/sim/index.ts';

/**
 * Request rows streamed to disk: requests.csv complete, exact percentiles from the streamed
 * rows, merges that carry the rows and name missing shards.
 */
const stream = suite('yarn exp: streamed request rows');
const root = mkdtempSync(join(tmpdir(), 'exp-stream-'));
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');

/** numpy.percentile's default (linear between order statistics), on a copy sorted by hand. */
function numpyPercentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const rank = q * (s.length - 1);
  const i = Math.floor(rank);
  return i + 1 < s.length ? s[i]! + (rank - i) * (s[i + 1]! - s[i]!) : s[i]!;
}

/** 90,000 short requests, more than a distribution keeps exactly (65,536); some too long for max_model_len. */
function config(percentiles: 'sketch' | 'exact'): string {
  const file = join(root, `many-${percentiles}.yaml`);
  writeFileSync(file, `name: many
seed: 5
model: llama-3.1-8b
hardware: h200
engine: { max_model_len: 66 }
systems:
  - { name: TP, strategy: tp, world: 1 }
workloads:
  - name: poisson
    synthetic:
      arrivals: { kind: poisson, rate: 200 }
      lengths: { kind: uniform, input: [16, 64], output: [2, 4] }
      count: 90000
report: { percentiles: ${percentiles}, plots: false }
`);
  return file;
}

async function runMany(percentiles: 'sketch' | 'exact'): Promise<{ dir: string; summary: UnitSummary }> {
  const e = await loadExperiment(config(percentiles));
  const o = await runExperiment(e, { out: join(root, percentiles), jobs: 1 });
  assert.equal(o.failed, []);
  await writeReport(o.dir);
  return { dir: o.dir.dir, summary: o.dir.readUnit(o.manifest.units[0]!, o.manifest.config_hash)!.summary };
}

stream('90,000 requests: every one in requests.csv once; exact percentiles equal the hand-sorted rows, the sketch is within 0.1%', async () => {
  const exact = await runMany('exact');
  const lines = read(exact.dir, 'requests.csv').trim().split('\n');
  const header = lines[0]!.split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const col = (name: string): string[] => rows.map((r) => r[header.indexOf(name)]!);
  // Every request once, finished or rejected (too long for max_model_len: 66 > input + output).
  assert.equal([...new Set(col('request'))].length, 90000);
  assert.is(rows.length, 90000);
  const finished = col('finished');
  assert.is(finished.filter((f) => f === '1').length, exact.summary.requests.finished);
  assert.is(finished.filter((f) => f === '0').length, exact.summary.requests.rejected);
  assert.ok(exact.summary.requests.rejected > 1000);
  assert.ok(rows.every((r) => (r[header.indexOf('finished')] === '0') === (r[header.indexOf('ttft_ms')] === '')), 'a rejected request has no latency');

  // Exact mode: results.json's percentiles are numpy's over the requests.csv column, sorted by hand.
  for (const m of ['ttft_ms', 'tpot_ms', 'e2e_ms'] as const) {
    const xs = col(m).filter((c) => c !== '').map(Number);
    assert.ok(xs.length > 65536);
    for (const [q, key] of [[0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99']] as const) assert.is(exact.summary[m][key], numpyPercentile(xs, q), `${m} ${key}`);
    assert.is(exact.summary.percentiles[m], 'exact');
  }

  // The sketch (the default) on the same run: within its relative accuracy of the exact values.
  const sketch = await runMany('sketch');
  for (const m of ['ttft_ms', 'tpot_ms', 'e2e_ms'] as const) {
    assert.is(sketch.summary.percentiles[m], `ddsketch ±${SKETCH_RELATIVE_ACCURACY * 100}%`);
    for (const key of ['p50', 'p90', 'p99'] as const) {
      const [s, x] = [sketch.summary[m][key]!, exact.summary[m][key]!];
      // + 1e-8: the exact values are the file's (9 digits), the sketch saw the simulator's.
      assert.ok(Math.abs(s / x - 1) <= SKETCH_RELATIVE_ACCURACY + 1e-8, `${m} ${key}: sketch ${s}, exact ${x}`);
    }
  }
  assert.is(read(sketch.dir, 'requests.csv'), read(exact.dir, 'requests.csv'));
  rmSync(join(root, 'sketch'), { recursive: true });
});

stream('a merge carries the request rows and renders the same report; it names the shards missing from an incomplete set', async () => {
  const tiny = await loadExperiment(fileURLToPath(new URL('./fixtures/exp/tiny.yaml', import.meta.url)));
  const whole = await runExperiment(tiny, { out: join(root, 'whole'), jobs: 1 });
  await writeReport(whole.dir);
  const shards = [join(root, 'shard1'), join(root, 'shard2'), join(root, 'shard3')];
  for (const [i, out] of shards.entries()) await runExperiment(tiny, { out, jobs: 1, shard: { index: i + 1, count: 3 } });
  const merged = mergeRuns(shards, join(root, 'merged'));
  await writeReport(merged);
  // Every report file equal: the rows copied, and the SVG ids of the second report rendered in
  // this process numbered as in the first (vega's counters are per process).
  for (const f of ['requests.csv', 'results.json', 'summary.md', 'index.html', 'plots/relative.svg']) assert.is(read(merged.dir, f), read(whole.dir.dir, f), f);

  // Shard 2 of 3 absent: named, with the given ones.
  assert.throws(() => mergeRuns([shards[0]!, shards[2]!], join(root, 'm2')), (e: Error) => e instanceof MergeError && /missing shard\(s\) 2\/3/.test(e.message) && /unfinished: p001/.test(e.message));
  // Shard 3 there but a unit of it lost its rows: that shard is named with the command resuming it.
  rmSync(join(shards[2]!, 'units', 'p002-s01.requests.csv'));
  assert.throws(
    () => mergeRuns(shards, join(root, 'm3')),
    (e: Error) => e instanceof MergeError && e.message.includes(`shard 3/3 in ${shards[2]} is unfinished (resume it: yarn exp`) && e.message.includes(`--shard 3/3 --resume ${shards[2]}`),
  );
});

stream.run();
