import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { loadStudyExperiment } from '../experiments/paper/run.ts';
import { EXPERIMENT_IDS, MOONCAKE_WINDOW_S, STUDY, configPath } from '../experiments/paper/study.ts';
import type { Experiment } from '../src/exp/index.ts';

const loaded = new Map<string, Experiment>();
for (const e of STUDY) loaded.set(e.id, await loadStudyExperiment(e));
const exp = (id: string): Experiment => loaded.get(id)!;
const workloads = (id: string): string[] => [...new Set(exp(id).points.map((p) => p.workload.name))];
const systems = (id: string): string[] => exp(id).points[0]!.systems.map((s) => s.name);

test('every experiment of the study has a config that loads and validates, traces included', () => {
  assert.equal(STUDY.map((e) => e.id), [...EXPERIMENT_IDS]);
  for (const e of STUDY) {
    const x = exp(e.id);
    assert.ok(x.points.length > 0, e.id);
    assert.equal(x.skipped, [], e.id);
    assert.is(x.config.name, `paper-${e.id}`);
  }
});

test('configs model the paper setup: 8× H200, FP8 weights, the artifact server flags, Shift at threshold 512', () => {
  for (const e of STUDY) {
    const x = exp(e.id);
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
  }
  assert.equal(systems('rate-sweep'), ['DP', 'TP', 'Shift']);
  for (const id of EXPERIMENT_IDS.filter((i) => i !== 'rate-sweep')) assert.equal(systems(id), ['DP', 'TP', 'SP', 'Shift'], id);
});

test('experiment shapes: one-at-a-time latency workloads, the context and rate sweeps, the trace windows', () => {
  for (const id of ['latency-peak-llama', 'latency-peak-qwen']) assert.equal(workloads(id), ['latency-4k', 'peak-4k']);
  for (const id of ['context-llama', 'context-qwen']) {
    assert.equal(workloads(id), ['latency', 'peak']);
    assert.equal(exp(id).points.filter((p) => p.workload.name === 'peak').map((p) => p.params.ctx), [2048, 4096, 8192, 16384, 32768, 65536, 131072 - 250]);
  }
  for (const x of loaded.values()) for (const p of x.points) if (/latency/.test(p.workload.name)) assert.is(p.workload.maxInFlight, 1, `${x.config.name} ${p.id}`);
  const rates = exp('rate-sweep').points.map((p) => Number(p.params.rate));
  assert.ok(rates[0]! <= 1 && rates.at(-1)! > 10, `rates ${rates.join(', ')}`);
  const moon = parse(readFileSync(configPath(STUDY.find((e) => e.id === 'mooncake')!), 'utf8')) as { workloads: { window: { duration: number }; drop_hash_ids: boolean }[] };
  assert.is(moon.workloads[0]!.window.duration, MOONCAKE_WINDOW_S);
  assert.is(moon.workloads[0]!.drop_hash_ids, true);
});

test.run();
