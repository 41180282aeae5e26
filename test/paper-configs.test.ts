import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadStudyExperiment } from '../experiments/paper/run.ts';
import { EXPERIMENT_IDS, MOONCAKE_WINDOW_S, STUDY, type StudyExperiment, configPath } from '../experiments/paper/study.ts';
import type { Experiment } from '../src/exp/index.ts';
import { testNeedingTraces, tracesOf } from './helpers/paper-traces.ts';

/**
 * Each study config is its own test: it loads and validates (traces included) and models the
 * paper's setup. A config whose trace this checkout lacks is skipped, with the download command
 * in the skipped test's name; the others still run.
 */
const workloads = (x: Experiment): string[] => [...new Set(x.points.map((p) => p.workload.name))];
const systems = (x: Experiment): string[] => x.points[0]!.systems.map((s) => s.name);

test('the study lists every experiment id once, each with its own config file', () => {
  assert.equal(STUDY.map((e) => e.id), [...EXPERIMENT_IDS]);
  assert.is(new Set(STUDY.map((e) => e.file)).size, STUDY.length);
});

/** What every config shares: 8× H200, FP8 weights, the artifact's server flags, Shift at threshold 512. */
function checkPaperSetup(e: StudyExperiment, x: Experiment): void {
  assert.ok(x.points.length > 0, e.id);
  assert.equal(x.skipped, [], e.id);
  assert.is(x.config.name, `paper-${e.id}`);
  assert.is(x.profile.name, 'h200', e.id);
  for (const s of x.points[0]!.systems) {
    assert.is(s.world, 8, `${e.id} ${s.name}`);
    assert.is(s.dtype, 'fp8', `${e.id} ${s.name}`);
    assert.is(s.engine.max_num_batched_tokens, 131072);
    assert.is(s.engine.enable_prefix_caching, false);
    assert.is(s.engine.gpu_memory_utilization, 0.9);
    if (s.strategy === 'shift') assert.equal(s.policy, 'threshold:512');
    if (s.strategy === 'dp') assert.is(s.tp, 1);
  }
  const kv = e.id === 'mooncake' ? 'fp8' : 'bf16';
  assert.ok(x.points[0]!.systems.every((s) => s.kv_dtype === kv), e.id);
  assert.equal(systems(x), e.id === 'rate-sweep' ? ['DP', 'TP', 'Shift'] : ['DP', 'TP', 'SP', 'Shift'], e.id);
  for (const p of x.points) if (/latency/.test(p.workload.name)) assert.is(p.workload.maxInFlight, 1, `${e.id} ${p.id}`);
}

/** The shape of each experiment (SHIFT.md, "Experiment parameters"). */
const SHAPE: Record<(typeof EXPERIMENT_IDS)[number], (x: Experiment, e: StudyExperiment) => void> = {
  'latency-peak-llama': (x) => assert.equal(workloads(x), ['latency-4k', 'peak-4k']),
  'latency-peak-qwen': (x) => assert.equal(workloads(x), ['latency-4k', 'peak-4k']),
  'context-llama': (x) => contextSweep(x),
  'context-qwen': (x) => contextSweep(x),
  'rate-sweep': (x) => {
    const rates = x.points.map((p) => Number(p.params.rate));
    assert.ok(rates[0]! <= 1 && rates.at(-1)! > 10, `rates ${rates.join(', ')}`);
  },
  bursty: (x) => assert.equal(workloads(x), ['bursts']),
  'azure-code': (x) => assert.equal(workloads(x), ['azure-code']),
  mooncake: (_x, e) => {
    const moon = parse(readFileSync(configPath(e), 'utf8')) as { workloads: { window: { duration: number }; drop_hash_ids: boolean }[] };
    assert.is(moon.workloads[0]!.window.duration, MOONCAKE_WINDOW_S);
    assert.is(moon.workloads[0]!.drop_hash_ids, true);
  },
};

function contextSweep(x: Experiment): void {
  assert.equal(workloads(x), ['latency', 'peak']);
  assert.equal(x.points.filter((p) => p.workload.name === 'peak').map((p) => p.params.ctx), [2048, 4096, 8192, 16384, 32768, 65536, 131072 - 250]);
}

for (const e of STUDY) {
  testNeedingTraces(test, tracesOf(e), `${e.file} loads, validates and models the paper setup`, async () => {
    const x = await loadStudyExperiment(e);
    checkPaperSetup(e, x);
    SHAPE[e.id](x, e);
  });
}

test.run();
