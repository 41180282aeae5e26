import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Experiment, loadExperiment } from '../src/exp/config/load.ts';
import { MergeError, mergeRuns } from '../src/exp/merge.ts';
import { writeReport } from '../src/exp/report/index.ts';
import { validateResults } from '../src/exp/results.ts';
import { runExperiment } from '../src/exp/runner.ts';
import { ResultsDirError, RunDir } from '../src/exp/store.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/exp/${name}`, import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'exp-run-'));
let k = 0;
const fresh = (): string => join(root, `r${k++}`);
const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const unitDone = (d: RunDir): string[] => d.events().filter((e) => e.event === 'unit-done').map((e) => String(e.unit));

let tiny: Experiment;
/** The uninterrupted, unsharded reference run of the tiny fixture (9 units). */
let reference: { dir: string; results: string };

const run = suite('yarn exp: a run and its report', {});

run.before(async () => {
  tiny = await loadExperiment(fixture('tiny.yaml'));
  const out = fresh();
  // Two workers: the worker-thread pool (tsx bootstrap included) is what this run exercises.
  const o = await runExperiment(tiny, { out, jobs: 2 });
  assert.equal(o.failed.map((f) => f.error.message), []);
  await writeReport(o.dir);
  reference = { dir: out, results: read(out, 'results.json') };
});

run('every output file is written', () => {
  const plots = ['latency-throughput', 'metrics', 'relative', 'ttft-cdf', 'tpot-cdf', 'timeline-p000', 'timeline-p001', 'timeline-p002'].map((p) => `plots/${p}.svg`);
  for (const f of ['config.yaml', 'run.json', 'run.log', 'results.json', 'requests.csv', 'summary.md', 'index.html', ...plots]) {
    assert.ok(existsSync(join(reference.dir, f)), `${f} missing`);
  }
  assert.is(new RunDir(reference.dir).events().filter((e) => e.event === 'unit-done').length, 9);
});

run('results.json follows the contract and holds every point and system', () => {
  const r = validateResults(JSON.parse(reference.results));
  assert.is(r.config, 'tiny');
  assert.equal(r.points.map((p) => p.params), [{ workload: 'poisson', rate: 4 }, { workload: 'poisson', rate: 16 }, { workload: 'single' }]);
  for (const p of r.points) {
    assert.equal(Object.keys(p.systems), ['TP', 'Shift-64', 'Shift-512']);
    for (const s of Object.values(p.systems)) {
      assert.ok(s.ttft_ms.p50 !== null && s.ttft_ms.p50 > 0);
      assert.ok(s.throughput_tok_s > 0);
      assert.is(s.requests.rejected + s.requests.finished, p.params.workload === 'single' ? 3 : 12);
    }
  }
  // The contract is enforced: a missing metric is named.
  const broken = JSON.parse(reference.results) as { points: { systems: Record<string, Record<string, unknown>> }[] };
  delete broken.points[0]!.systems.TP!.tpot_ms;
  assert.throws(() => validateResults(broken), /points\.0\.systems\.TP\.tpot_ms/);
});

run('requests.csv has a row per request and system; the one-at-a-time check is reported', () => {
  const lines = read(reference.dir, 'requests.csv').trim().split('\n');
  assert.is(lines[0], 'point,workload,rate,system,request,arrival_s,input_tokens,output_tokens,replica,ttft_ms,tpot_ms,e2e_ms,preemptions,finished');
  assert.is(lines.length - 1, 3 * (12 + 12 + 3));
  assert.match(read(reference.dir, 'summary.md'), /check passed: no system had more than 1 request in flight/);
});

run('plots have data marks, axis titles and the fixed system colours', () => {
  const svg = (f: string): string => read(reference.dir, `plots/${f}`);
  const lt = svg('latency-throughput.svg');
  assert.match(lt, /class="mark-line role-mark/);
  assert.match(lt, /throughput \(tokens\/s, input \+ output\)/);
  assert.match(lt, /latency \(ms, log scale\)/);
  assert.match(lt, /stroke="#f58518"/); // TP's colour in every report
  assert.match(svg('ttft-cdf.svg'), /fraction of requests/);
  const tl = svg('timeline-p000.svg');
  assert.match(tl, /class="mark-rect role-mark/);
  assert.match(tl, /simulated time \(s\)/);
  const rel = svg('relative.svg');
  assert.match(rel, /class="mark-rect role-mark/);
  assert.match(rel, /× the best/);
  assert.match(read(reference.dir, 'index.html'), /<svg[^>]*class="marks"/);
});

run('an interrupted run resumes without redoing finished units and ends equal to an uninterrupted one', async () => {
  const out = fresh();
  const stop = new AbortController();
  const first = await runExperiment(tiny, { out, jobs: 1, signal: stop.signal, onUnitSaved: (u) => u === 'p000-s02' && stop.abort() });
  assert.ok(first.interrupted);
  assert.equal(first.ran, ['p000-s00', 'p000-s01', 'p000-s02']);
  const dir = new RunDir(out);
  const mtimes = first.ran.map((u) => statSync(join(dir.unitsDir, `${u}.json`)).mtimeMs);
  // A write cut off by the kill, and a truncated unit file, never count as finished.
  writeFileSync(join(dir.unitsDir, 'p001-s00.json.1234.partial'), '{"version":1');
  writeFileSync(join(dir.unitsDir, 'p001-s01.json'), '{"version":1,"unit":"p0');
  const second = await runExperiment(tiny, { resume: out, jobs: 1 });
  assert.not.ok(second.interrupted);
  assert.equal([...second.reused].sort(), first.ran);
  assert.is(second.ran.length, 6);
  assert.ok(second.ran.includes('p001-s01'));
  assert.equal(first.ran.map((u) => statSync(join(dir.unitsDir, `${u}.json`)).mtimeMs), mtimes);
  assert.not.ok(existsSync(join(dir.unitsDir, 'p001-s00.json.1234.partial')));
  const done = unitDone(dir);
  assert.is(done.length, 9);
  assert.is(new Set(done).size, 9, 'a unit ran twice');
  await writeReport(second.dir);
  assert.is(read(out, 'results.json'), reference.results);
});

run('--resume refuses a directory of a changed config, naming what changed', async () => {
  const changed = { ...tiny, resolved: { ...tiny.resolved, seed: 99 } };
  try {
    await runExperiment(changed, { resume: reference.dir, jobs: 1 });
    assert.unreachable('resumed a changed config');
  } catch (e) {
    assert.ok(e instanceof ResultsDirError);
    assert.match((e as Error).message, /config changed since that run \(differs at seed\)/);
  }
});

run('shards, merged, equal the unsharded run; shards of another config are refused by name', async () => {
  const shards = [fresh(), fresh()];
  for (const [i, out] of shards.entries()) {
    const o = await runExperiment(tiny, { out, jobs: 1, shard: { index: i + 1, count: 2 } });
    assert.equal(o.failed, []);
  }
  assert.equal(new RunDir(shards[0]!).manifest().units, ['p000-s00', 'p000-s01', 'p000-s02', 'p002-s00', 'p002-s01', 'p002-s02']);
  assert.throws(() => mergeRuns([shards[0]!], fresh()), (e: Error) => e instanceof MergeError && /unfinished: p001/.test(e.message));
  const merged = mergeRuns(shards, fresh());
  await writeReport(merged);
  assert.is(read(merged.dir, 'results.json'), reference.results);

  const other = await loadExperiment(fixture('user-policy.yaml'));
  const otherDir = fresh();
  await runExperiment(other, { out: otherDir, jobs: 1 });
  assert.throws(
    () => mergeRuns([shards[0]!, otherDir], fresh()),
    (e: Error) => e instanceof MergeError && e.message.includes(otherDir) && /user-policy/.test(e.message) && /different configs/.test(e.message),
  );
});

run('the example user policy loads through a config, with its params', async () => {
  const e = await loadExperiment(fixture('user-policy.yaml'));
  assert.equal(e.points[0]!.systems[0]!.policy, { module: '../../../examples/policies/queue-aware.ts', params: { threshold: 128, queue: 2 } });
  const o = await runExperiment(e, { out: fresh(), jobs: 1 });
  assert.equal(o.failed, []);
  const unit = o.dir.readUnit('p000-s00', o.manifest.config_hash)!;
  // Named as its factory named it, with its module and params.
  assert.is(unit.summary.policy, 'queue-aware:128/2 (module ../../../examples/policies/queue-aware.ts, threshold=128, queue=2)');
  assert.is(unit.summary.requests.finished, 6);
});

run.run();
