import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../src/exp/config/errors.ts';
import { loadExperiment } from '../src/exp/config/load.ts';
import { runExperiment } from '../src/exp/runner.ts';
import { bisectCapacity, collectSearch, expectedProbes, loadSearch } from '../src/exp/search/index.ts';
import { decodeStepFloorMs } from '../src/exp/search/bound.ts';
import { nativeRate, workloadAtRate } from '../src/exp/search/rate.ts';
import { layoutsOf } from '../src/exp/search/space.ts';
import { openWorkload } from '../src/traces/index.ts';
import { RunDir } from '../src/exp/store.ts';
import { getProfile } from '../src/cost/profiles/index.ts';
import { expInProcess } from './helpers/exp-cli.ts';
import { testNeedingTraces } from './helpers/needs-traces.ts';

/**
 * `yarn exp search`: the bisection against known thresholds, the space against a hand count,
 * a small search end to end (deterministic, resumable, its winner a runnable experiment that
 * meets the SLO), and bad input: an empty space, an SLO nobody meets, undeployable candidates.
 */
const CONFIG = 'test/fixtures/exp/search.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'exp-search-'));
const base = readFileSync(CONFIG, 'utf8');
/** The fixture with its `search:` lines edited. */
function variant(name: string, edit: (text: string) => string): string {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, edit(base).replace('name: search', `name: ${name}`));
  return file;
}

const bisect = suite('capacity bisection');

bisect('finds a known threshold within the tolerance, with the stated number of probes (seeded random thresholds)', async () => {
  const rng = seedrandom('bisect');
  for (let i = 0; i < 300; i++) {
    const min = 0.1 + rng() * 2;
    const max = min * (2 + rng() * 500);
    const tolerance = [0.01, 0.05, 0.2, 0.5][i % 4]!;
    const truth = min * Math.exp(rng() * Math.log(max / min)); // strictly inside (min, max)
    const asked: number[] = [];
    const b = await bisectCapacity(min, max, tolerance, async (r) => (asked.push(r), r <= truth));
    assert.ok(b.capacity <= truth && truth < b.failsAt!, `capacity ${b.capacity}, truth ${truth}, fails at ${b.failsAt}`);
    assert.ok(b.failsAt! <= b.capacity * (1 + tolerance) * (1 + 1e-12), 'bracket wider than the tolerance');
    assert.is(b.probes, asked.length);
    assert.ok(b.probes <= expectedProbes(min, max, tolerance));
  }
});

bisect('probe counts by hand; out-of-range capacities', async () => {
  // [1, 64] at 5%: ln 64 / ln 1.05 = 4.159 / 0.04879 = 85.2 halvings of the log-bracket ratio
  // needed down to one step: ⌈log2 85.2⌉ = 7 midpoints, plus min and max: 9.
  assert.is(expectedProbes(1, 64, 0.05), 9);
  // [1, 1024] at 25%: ln 1024 / ln 1.25 = 6.931 / 0.2231 = 31.06 → ⌈log2 31.06⌉ = 5 → 7.
  assert.is(expectedProbes(1, 1024, 0.25), 7);
  assert.equal(await bisectCapacity(1, 64, 0.05, async () => false), { capacity: 0, failsAt: 1, probes: 1 });
  assert.equal(await bisectCapacity(1, 64, 0.05, async () => true), { capacity: 64, failsAt: null, probes: 2 });
});

const space = suite('the search space');

space('every (s, t) with s·t = P each strategy accepts, from the registry (hand count for P = 8)', () => {
  const l = (s: 'tp' | 'dp' | 'sp' | 'shift'): string[] => layoutsOf(s, 8).map((p) => `${p.sp}x${p.tp}`);
  assert.equal(l('tp'), ['1x8']); // TP = world
  assert.equal(l('dp'), ['1x1', '1x2', '1x4', '1x8']); // replicas of TP t, t | 8
  assert.equal(l('sp'), ['1x8', '2x4', '4x2', '8x1']);
  assert.equal(l('shift'), ['1x8', '2x4', '4x2', '8x1']);
});

space('an empty space is a config error naming the key', async () => {
  const file = variant('empty', (t) => t.replace('strategies: [dp, tp, shift]', 'strategies: []'));
  try {
    await loadSearch(file);
    assert.unreachable('an empty space was accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    assert.match((e as Error).message, /search\.strategies: the search space is empty/);
  }
  const none = variant('no-layout', (t) => t.replace('  policies:', '  layouts: [{ sp: 3, tp: 1 }]\n  policies:'));
  const r = await expInProcess(['search', none, '--out', join(tmp, 'no-layout')]);
  // No strategy has a 3x1 layout on 2 GPUs: nothing to simulate, and the report says so.
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /no candidate was simulated \(0 undeployable, 0 pruned by a bound\): no winner/);
});

space('undeployable candidates are listed with the reason (heads that do not divide), never dropped', async () => {
  const file = variant('three', (t) => t.replace('world: 2', 'world: 3').replace('strategies: [dp, tp, shift]', 'strategies: [dp, tp]'));
  const e = await loadSearch(file);
  const c = e.search!.manifest.candidates;
  assert.equal(c.map((x) => `${x.name}: ${x.status}`), ['dp 1x1: simulated', 'dp 1x3: undeployable', 'tp 1x3: undeployable']);
  for (const x of c.filter((y) => y.status === 'undeployable')) assert.match(x.reason!, /32 query heads are not divisible by 3 ranks/);
  assert.is(e.points.length, 1);
  // Memory: 70B in BF16 is 141 GB of weights, more than one H200 holds (141 GB × 0.9 usable).
  const big = variant('memory', (t) => t.replace('world: 2', 'world: 1').replace('strategies: [dp, tp, shift]', 'strategies: [tp]').replace('model: llama-3.1-8b', 'model: llama-3.3-70b\ndtype: bf16'));
  const m = (await loadSearch(big)).search!.manifest.candidates;
  assert.equal(m.map((x) => x.status), ['undeployable']);
  assert.match(m[0]!.reason!, /llama-3\.3-70b does not fit: weights 141\.1 GB/);
});

testNeedingTraces(space, ['azure-code'], 'configs/search-azure-code.yaml plans 126 candidates, all deployable (hand count)', async () => {
  const e = await loadSearch('configs/search-azure-code.yaml');
  // Layouts of 8 GPUs: TP 1, DP 4 (TP 1, 2, 4, 8 per replica), SP 4, Shift 4 × 2 thresholds,
  // PP 4 (TP 1, 2, 4, 8 per stage) = 21; × 3 token budgets × 2 sequence caps = 126. FP8 70B
  // (≈ 70 GB) fits even one H200 per replica.
  const c = e.search!.manifest.candidates;
  assert.is(c.length, 126);
  assert.is(c.filter((x) => x.status === 'simulated').length, 126);
  assert.is(e.points.length, 126);
});

const rates = suite('the rate a search varies');

rates('a trace replays at the asked mean rate: N / (last − first arrival), its time scaled', async () => {
  // Five requests at 0, 0.5, 1, 3 and 10 s: 5 / 10 s = 0.5 req/s of its own (the traces
  // README's definition). At 2 req/s the arrivals are 4× closer: 0, 0.125, 0.25, 0.75, 2.5 s.
  const file = join(tmp, 'tiny.csv');
  writeFileSync(file, ['TIMESTAMP,ContextTokens,GeneratedTokens', ...[0, 0.5, 1, 3, 10].map((t) => `2023-11-16 18:17:${String(t.toFixed(7)).padStart(10, '0')},100,10`)].join('\n') + '\n');
  const native = await nativeRate({ trace: file });
  assert.equal(native, { rate: 0.5, requests: 5, span_s: 10 });
  const scaled = workloadAtRate({ trace: file }, 2, native.rate);
  const arrivals: number[] = [];
  for await (const r of openWorkload(scaled).stream) arrivals.push(r.arrival);
  assert.equal(arrivals.map((a) => Number(a.toFixed(6))), [0, 0.125, 0.25, 0.75, 2.5]);
  // A synthetic workload takes the rate as its arrivals' rate.
  const synthetic = workloadAtRate({ synthetic: { arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'fixed', input: 8, output: 2 }, count: 2000 }, seed: 1 }, 40, undefined);
  let last = 0;
  let n = 0;
  for await (const r of openWorkload(synthetic).stream) [last, n] = [r.arrival, n + 1];
  // 2000 Poisson arrivals at 40/s span 50 s give or take 50 / √2000 ≈ 1.1 s (one σ).
  assert.ok(Math.abs(n / last - 40) < 40 * 0.07, `measured ${n / last} req/s`);
});

rates('a trace with time_scale, or synthetic arrivals without ${rate}, are config errors saying why', async () => {
  const fixed = variant('fixed-rate', (t) => t.replace("rate: '${rate}'", 'rate: 4'));
  await loadSearch(fixed).then(
    () => assert.unreachable('a fixed rate was accepted'),
    (e: Error) => assert.match(e.message, /workloads\[0\]\.synthetic\.arrivals\.rate: a search varies the arrival rate: write rate: '\$\{rate\}'/),
  );
  const scaled = variant('scaled', (t) => t.replace(/workloads:[\s\S]*?search:/, 'workloads:\n  - { name: code, trace: azure-code, time_scale: 2, window: { duration: 60 } }\nsearch:'));
  await loadSearch(scaled).then(
    () => assert.unreachable('time_scale was accepted'),
    (e: Error) => assert.match(e.message, /workloads\[0\]\.time_scale: a search replays the trace at each rate it tries .*remove time_scale/),
  );
});

rates('a goodput SLO: the fraction of good requests, checked against the request rows; plain yarn exp runs a search config', async () => {
  const file = variant('goodput', (t) => t.replace('strategies: [dp, tp, shift]', 'strategies: [tp]').replace('slo: { ttft_p99_ms: 300, tpot_p99_ms: 30 }', 'slo: { goodput: { ttft_ms: 100, tpot_ms: 10, min_fraction: 0.9 } }'));
  const dir = join(tmp, 'goodput');
  const r = await expInProcess([file, '--out', dir, '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /SLO ≥ 90% of requests with TTFT ≤ 100 ms and TPOT ≤ 10 ms/);
  const o = collectSearch(RunDir.open(dir));
  const ref = o.ranked[0]!.search.reference;
  const rows = readFileSync(join(dir, 'units', `${o.ranked[0]!.plan.unit}.requests.csv`), 'utf8').trim().split('\n');
  const head = rows[0]!.split(',');
  const [ttft, tpot] = [head.indexOf('ttft_ms'), head.indexOf('tpot_ms')];
  const good = rows.slice(1).map((l) => l.split(',')).filter((c) => Number(c[ttft]) <= 100 && (c[tpot] === '' || Number(c[tpot]) <= 10)).length;
  assert.ok(Math.abs(ref.good_fraction! - good / (rows.length - 1)) < 1e-9, `${ref.good_fraction} vs ${good} / ${rows.length - 1}`);
  assert.is(ref.meets, good / (rows.length - 1) >= 0.9);
});

const run = suite('a search end to end');
const out = join(tmp, 'run');

run('ranks the candidates, writes the report, the plots and a winner that validates, runs and meets the SLO at its capacity', async () => {
  const r = await expInProcess(['search', CONFIG, '--out', out, '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  for (const f of ['search.json', 'summary.md', 'plots/pareto.svg', 'plots/capacity-curves.svg', 'winner.yaml', 'index.html']) assert.ok(existsSync(join(out, f)), `no ${f}`);
  const o = collectSearch(RunDir.open(out));
  assert.is(o.ranked.length, 5);
  for (let i = 1; i < o.ranked.length; i++) assert.ok(o.ranked[i - 1]!.search.capacity_req_s >= o.ranked[i]!.search.capacity_req_s, 'not ranked by capacity');
  for (const c of o.ranked) {
    // The bracket the report states: the capacity passed, the next rate failed, within 25%.
    const { capacity_req_s: cap, fails_at_req_s: fails, probes } = c.search;
    assert.ok(probes.some((p) => p.rate === cap && p.meets) && probes.some((p) => p.rate === fails && !p.meets));
    assert.ok(fails! <= cap * 1.25 * (1 + 1e-12));
  }
  const winner = o.winner!;
  assert.match(r.stdout, new RegExp(`winner: ${winner.plan.name}, capacity`));
  // The winner's YAML, through the ordinary experiment path: valid, and at its capacity it
  // meets the SLO the search stated (p99 TTFT ≤ 300 ms, p99 TPOT ≤ 30 ms).
  const e = await loadExperiment(join(out, 'winner.yaml'));
  assert.equal(e.points[0]!.systems.map((s) => [s.name, s.strategy, s.sp, s.tp]), [[winner.plan.name, winner.plan.strategy, winner.plan.sp, winner.plan.tp]]);
  const w = await runExperiment(e, { out: join(tmp, 'winner-run'), jobs: 1 });
  const unit = w.dir.readUnit(w.manifest.units[0]!, w.manifest.config_hash)!;
  assert.ok(unit.summary.ttft_ms.p99! <= 300 && unit.summary.tpot_ms.p99! <= 30, JSON.stringify(unit.summary.ttft_ms));
});

run('deterministic: a second run writes the same report bytes; an interrupted run resumes to the same result', async () => {
  const again = join(tmp, 'again');
  const controller = new AbortController();
  const first = await runExperiment(await loadSearch(CONFIG), { out: again, jobs: 1, signal: controller.signal, onUnitSaved: () => controller.abort() });
  assert.ok(first.interrupted && first.ran.length === 1);
  const r = await expInProcess(['search', CONFIG, '--resume', again, '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /4 unit\(s\) run, 1 reused/);
  for (const f of ['search.json', 'summary.md', 'plots/pareto.svg', 'plots/capacity-curves.svg', 'winner.yaml']) {
    assert.ok(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), `${f} differs between two runs`);
  }
});

const bad = suite('a search with no winner');

bad('an SLO no candidate meets: the report says so and shows the nearest miss; no winner.yaml', async () => {
  const file = variant('strict', (t) => t.replace('slo: { ttft_p99_ms: 300, tpot_p99_ms: 30 }', 'slo: { ttft_p99_ms: 5 }'));
  const dir = join(tmp, 'strict');
  const r = await expInProcess(['search', file, '--out', dir, '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /no candidate meets the SLO \(p99 TTFT ≤ 5 ms\) at any rate from 1 req\/s; nearest: .+ at [\d.]+ req\/s: p99 TTFT [\d.]+ ms/);
  assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /\*\*no candidate meets the SLO/);
  assert.not.ok(existsSync(join(dir, 'winner.yaml')));
});

bad('the decode-step bound prunes only what cannot win, and is below every simulated TPOT', async () => {
  // Below one decode step: every candidate is pruned, with the bound named, and none simulated.
  const file = variant('pruned', (t) => t.replace('slo: { ttft_p99_ms: 300, tpot_p99_ms: 30 }', 'slo: { tpot_p99_ms: 0.5 }'));
  const e = await loadSearch(file);
  assert.is(e.points.length, 0);
  for (const c of e.search!.manifest.candidates) assert.match(c.reason!, /decode-step bound: one decode step alone takes [\d.]+ ms > the p99 TPOT target 0.5 ms/);
  // The bound is a floor: no request of the end-to-end run decoded faster than it.
  const s = await loadSearch(CONFIG);
  const dir = RunDir.open(out);
  for (const p of s.points) {
    const floor = await decodeStepFloorMs(p.systems[0]!, 'llama-3.1-8b', getProfile('h200'));
    const rows = readFileSync(dir.requestFile(`${p.id}-s00`), 'utf8').trim().split('\n');
    const col = rows[0]!.split(',').indexOf('tpot_ms');
    const fastest = Math.min(...rows.slice(1).map((l) => Number(l.split(',')[col])).filter((v) => v > 0));
    // The file keeps 9 significant digits; a lone decode step is the bound itself.
    assert.ok(floor > 0 && floor <= fastest * (1 + 1e-8), `${p.systems[0]!.name}: bound ${floor} ms above a simulated TPOT of ${fastest} ms`);
  }
});

bad('yarn exp search on a config without a search: section says what a search needs', async () => {
  const r = await expInProcess(['search', 'configs/smoke.yaml', '--dry-run']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /has no search: section; a search config states the space, the rates and the SLO/);
  const dry = await expInProcess(['search', CONFIG, '--dry-run', '--jobs', '16', '--out', join(tmp, 'dry')]);
  assert.is(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout.trim().split('\n'), ['p000  dp 1x1', 'p001  dp 1x2', 'p002  tp 1x2', 'p003  shift 1x2 threshold:256', 'p004  shift 2x1 threshold:256']);
  // 5 candidates × (1 + 7) simulations; a candidate's run one after another, so 5 workers of 16 at most.
  assert.match(dry.stderr, /plan: 40 simulation\(s\) \(5 candidate\(s\), each the reference load and up to 7 bisection run\(s\)\)/);
  assert.match(dry.stderr, /on 5 worker\(s\)/);
  assert.not.ok(existsSync(join(tmp, 'dry')));
  // --help is printed by yargs itself (not through expMain's IO): run the command.
  const help = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/exp.ts', '--help'], { encoding: 'utf8' }).stdout.replace(/<config>/g, '').replace(/\s+/g, ' ');
  for (const s of ['exp.ts search', 'find the deployment and policy with the highest capacity', 'a config with a search: section runs its search', 'of a search: candidates', 'run an experiment or a search on a Slurm cluster']) assert.ok(help.includes(s), `--help lacks: ${s}`);
});

bisect.run();
space.run();
rates.run();
run.run();
bad.run();
