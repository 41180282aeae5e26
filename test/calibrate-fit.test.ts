import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FREE_CONSTANTS, type FreeConstant } from '../src/calibrate/constants.ts';
import { fitConstants, fromUnit, mape, toUnit } from '../src/calibrate/fit.ts';
import { loadMeasurements } from '../src/calibrate/measurements.ts';
import { profilesFor } from '../src/calibrate/run-fit.ts';
import { ScenarioError, buildScenarios } from '../src/calibrate/scenarios.ts';
import { priceSchedule, recordSchedule } from '../src/calibrate/schedule.ts';
import { getProfile } from '../src/cost/index.ts';
import { simulate, synthetic, type SystemSpec } from '../src/sim/index.ts';
import { ConfigError } from '../src/exp/config/errors.ts';

/** `yarn calibrate fit`: the re-priced schedules, the optimizer, and the measurements file's errors. */
const dir = mkdtempSync(path.join(tmpdir(), 'calibrate-'));
const rooflines = { h200: getProfile('h200-roofline'), 'h100-sxm': getProfile('h100-sxm-roofline') };
const rel = (a: number, b: number): number => Math.abs(a / b - 1);

function measurementsFile(name: string, lines: readonly string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['points:', ...lines].join('\n'));
  return file;
}
const point = (system: string, workload: string, metric: string, model = 'llama-3.1-8b'): string =>
  `  - { use: fit, source: test, engine: vllm-0.10.1, hardware: h200, gpus: 8, model: ${model}, quant: fp8-dynamic, system: ${system}, workload: ${workload}, metric: ${metric}, value: 1 }`;

test('a schedule recorded on one profile and priced on another equals simulating on that other one', async () => {
  const calibrated = getProfile('h200');
  const specs: Omit<SystemSpec, 'hardware'>[] = [
    { name: 'tp', strategy: 'tp', world: 8, model: 'llama-3.1-8b', weightDtype: 'fp8' },
    { name: 'dp', strategy: 'dp', world: 8, tp: 1, model: 'llama-3.1-8b', weightDtype: 'fp8' },
    { name: 'shift', strategy: 'shift', world: 8, sp: 8, tp: 1, model: 'llama-3.1-8b', weightDtype: 'fp8' },
  ];
  for (const spec of specs) {
    const strategy = spec.strategy;
    const recorded = await recordSchedule({ ...spec, hardware: rooflines.h200 }, 2048, 16, 120);
    const priced = priceSchedule(recorded, recorded.cost.withProfile(calibrated), calibrated.engine.frontend_s ?? 0);
    const direct = await simulate({ ...spec, hardware: calibrated }, synthetic({ count: 120, input: 2048, output: 16 }));
    assert.ok(rel(priced.ttft_ms, direct.ttft_ms.mean) < 1e-9, `${strategy} TTFT ${priced.ttft_ms} vs ${direct.ttft_ms.mean}`);
    assert.ok(rel(priced.tpot_ms, direct.tpot_ms.mean) < 1e-9, `${strategy} TPOT ${priced.tpot_ms} vs ${direct.tpot_ms.mean}`);
    assert.ok(rel(priced.throughput_tok_s, direct.throughput_tok_s) < 1e-9, `${strategy} throughput`);
  }
  // DP's 8 replicas got the same requests and ran the same iterations: one schedule is kept.
  const dp = await recordSchedule({ name: 'dp', strategy: 'dp', world: 8, tp: 1, model: 'llama-3.1-8b', hardware: rooflines.h200, weightDtype: 'fp8' }, 2048, 16, 120);
  assert.is(dp.engines.length, 1);
});

test('the fit recovers constants that generated the measurements, and the prior holds what they leave open', async () => {
  const file = measurementsFile('synthetic.yaml', ['DP', 'TP', 'SP', 'Shift'].flatMap((s) => [point(s, '2048/64 one-at-a-time', 'ttft_ms'), point(s, '2048/64 one-at-a-time', 'tpot_ms')]));
  const scenarios = await buildScenarios(loadMeasurements(file), rooflines);
  const keys = ['kernel_floor_s', 'engine.frontend_s', 'engine.iteration_s', 'collectives[nccl_p2p_all_to_all].alpha_s'];
  const free = keys.map((k) => FREE_CONSTANTS.find((c) => c.key === k)!);
  const predict = (values: readonly number[]): number[] => {
    const profiles = profilesFor(values, free);
    return scenarios.map((s) => s.evaluate(profiles));
  };
  const truth = [2.5e-6, 30e-3, 1.2e-3, 40e-6];
  const measured = predict(truth);
  const fit = fitConstants(free, scenarios.map((s, i) => ({ id: s.point.id, measured: measured[i]! })), predict);
  fit.values.forEach((v, j) => assert.ok(rel(v, truth[j]!) < 0.05, `${keys[j]}: ${v} vs ${truth[j]}`));
  assert.ok(mape(fit.predicted, measured) < 0.005, `training error ${mape(fit.predicted, measured)}`);
});

test('the fit keeps every constant inside its bounds, at the bound when the data push past it', () => {
  const c: FreeConstant[] = [
    { key: 'a', prior: 1, lower: 0.5, upper: 2, scope: 'software', sourced: true, source: 'test' },
    { key: 'b', prior: 0.1, lower: 0, upper: 1, scope: 'software', sourced: false, source: 'test' },
  ];
  // y = a·x + b at x = 1, 2, 3, measured from a = 5 (above the bound 2) and b = 0.3.
  const predict = (v: readonly number[]): number[] => [1, 2, 3].map((x) => v[0]! * x + v[1]!);
  const fit = fitConstants(c, [1, 2, 3].map((x) => ({ id: `x${x}`, measured: 5 * x + 0.3 })), predict);
  assert.is(fit.values[0], 2);
  assert.ok(fit.values[1]! >= 0 && fit.values[1]! <= 1);
  // The search space maps the bounds to [0, 1], log-spaced when the lower bound is positive.
  assert.ok(Math.abs(toUnit(c[0]!, Math.SQRT2) - 0.75) < 1e-12 && Math.abs(fromUnit(c[0]!, 0.75) - Math.SQRT2) < 1e-12);
  assert.is(fromUnit(c[1]!, 1.7), 1);
});

test('a malformed measurements file is an error naming the file, line and key', async () => {
  const bad = measurementsFile('bad.yaml', [point('TP', '4096/250 one-at-a-time', 'ttft_ms'), point('TP', '4096/250 one-at-a-time', 'ttfb_ms'), '  - { use: fit, value: -3 }']);
  try {
    loadMeasurements(bad);
    assert.unreachable('accepted');
  } catch (e) {
    assert.instance(e, ConfigError);
    const msg = (e as Error).message;
    assert.match(msg, /bad\.yaml:3:\d+: points\[1\]\.metric:/);
    assert.match(msg, /bad\.yaml:4:\d+: points\[2\]\.value:/);
    assert.match(msg, /points\[2\]\.source:/);
  }
  const unsupported = measurementsFile('unsupported.yaml', [point('TP', '4096/250 one-at-a-time', 'ttft_ms'), point('3xTP3', '4096/250 one-at-a-time', 'ttft_ms'), point('TP', '4096 tokens bursty', 'ttft_ms'), point('TP', '4096/250 saturated', 'tpot_ms', 'gpt-5'),
    // Labels come from the registry: a sized name must match the point's GPUs; only a routed strategy's degree takes replicas.
    point('Shift4', '4096/250 one-at-a-time', 'ttft_ms'), point('4xSP2', '4096/250 one-at-a-time', 'ttft_ms'), point('Pipeline', '4096/250 one-at-a-time', 'ttft_ms')]);
  try {
    await buildScenarios(loadMeasurements(unsupported), rooflines);
    assert.unreachable('accepted');
  } catch (e) {
    assert.instance(e, ScenarioError);
    const msg = (e as Error).message;
    assert.match(msg, /unsupported\.yaml:3:\d+: points\.1\.system: '3xTP3' uses 9 GPUs, the point says 8/);
    assert.match(msg, /unsupported\.yaml:4:\d+: points\.2\.workload: unknown workload '4096 tokens bursty'/);
    assert.match(msg, /unsupported\.yaml:5:\d+: points\.3\.model: unknown model 'gpt-5'/);
    assert.match(msg, /unsupported\.yaml:6:\d+: points\.4\.system: 'Shift4' uses 4 GPUs, the point says 8/);
    assert.match(msg, /unsupported\.yaml:7:\d+: points\.5\.system: unknown system '4xSP2': a strategy \(dp, tp, sp, shift/);
    assert.match(msg, /unsupported\.yaml:8:\d+: points\.6\.system: unknown system 'Pipeline'.*<r>x<TP><t>/);
  }
});

test.run();
