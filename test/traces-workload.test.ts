import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { tracesDirs } from '../src/traces/discover.ts';
import { WorkloadSpecError } from '../src/traces/errors.ts';
import type { TraceRequest } from '../src/traces/types.ts';
import { openWorkload, parseWorkloadSpec } from '../src/traces/workload.ts';
import { testNeedingTraces } from './helpers/needs-traces.ts';

/** The usual search order (data/traces, ../shared/traces); tests needing a trace skip without it. */
const dirs = tracesDirs();

async function drain(spec: unknown): Promise<{ requests: TraceRequest[]; stats: { requests: number; badRows: number } }> {
  const h = openWorkload(spec, { tracesDirs: dirs });
  const requests: TraceRequest[] = [];
  for await (const r of h.stream) requests.push(r);
  return { requests, stats: h.stats };
}

testNeedingTraces(test, ['azure-code'], 'a YAML trace workload: the paper Azure window by name', async () => {
  const spec = parseYaml(`
trace: azure-code
window: { start: 120, duration: 900 }
`);
  const { requests, stats } = await drain(spec);
  assert.is(requests.length, 2834);
  assert.is(stats.requests, 2834);
  assert.is(stats.badRows, 0);
});

testNeedingTraces(test, ['arxiv-lengths'], 'a YAML synthetic workload with lengths from a catalog file', async () => {
  const spec = parseYaml(`
synthetic:
  arrivals: { kind: poisson, rate: 2 }
  lengths: { kind: file, file: arxiv-lengths }
  count: 300
seed: 11
`);
  const a = await drain(spec);
  const b = await drain(spec);
  assert.is(a.requests.length, 300);
  assert.equal(a.requests, b.requests);
  assert.ok(a.requests.every((r) => r.input >= 1 && r.input <= 4054)); // README: arXiv input 1–4,054
});

test('invalid specs name the key path', () => {
  const bad: [unknown, RegExp][] = [
    [{ trace: 'azure-code', window: { start: -1 } }, /^exp\.yaml: workload\.window\.start: .*\(got -1\)/m],
    [{ trace: 'azure-code', windw: { start: 1 } }, /^exp\.yaml: workload: unknown key\(s\) 'windw'/m],
    [{ trace: 'azure-code', maxRequests: 2.5 }, /workload\.maxRequests/],
    [{ synthetic: { arrivals: { kind: 'poisson', rate: 0 }, lengths: { kind: 'fixed', input: 1, output: 1 }, count: 3 }, seed: 1 }, /workload\.synthetic\.arrivals\.rate: .*\(got 0\)/],
    [{ synthetic: { arrivals: { kind: 'gamma', rate: 1 }, lengths: { kind: 'fixed', input: 1, output: 1 }, count: 3 }, seed: 1 }, /workload\.synthetic\.arrivals: give exactly one of cv/],
    [{ synthetic: { arrivals: { kind: 'gamma', rate: 1, cv: -1 }, lengths: { kind: 'fixed', input: 1, output: 1 }, count: 3 }, seed: 1 }, /arrivals\.cv/],
    [{ synthetic: { arrivals: { kind: 'zipf' }, lengths: { kind: 'fixed', input: 1, output: 1 }, count: 3 }, seed: 1 }, /workload\.synthetic\.arrivals\.kind: .*'poisson' \| 'gamma'/],
    [{ synthetic: { arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'uniform', input: [5, 2], output: [1, 1] }, count: 3 }, seed: 1 }, /workload\.synthetic\.lengths\.input: expected \[lo, hi\] with lo <= hi/],
    [{ synthetic: { arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'fixed', input: 1, output: 1 } }, seed: 1 }, /workload\.synthetic: give count/],
    [{ synthetic: { arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'fixed', input: 1, output: 1 }, count: 3 } }, /workload\.seed/],
    [{ synthetic: { arrivals: { kind: 'bursts', baseRate: 1, bursts: { count: 4, size: 0, first: 0, period: 10 } }, lengths: { kind: 'fixed', input: 1, output: 1 }, count: 3 }, seed: 1 }, /workload\.synthetic\.arrivals\.bursts\.size: .*\(got 0\)/],
    [{ workload: 'azure' }, /^exp\.yaml: workload: expected an object with either 'trace'/],
  ];
  for (const [spec, message] of bad) {
    try {
      parseWorkloadSpec(spec, 'exp.yaml: workload');
      assert.unreachable(`accepted ${JSON.stringify(spec)}`);
    } catch (e) {
      assert.instance(e, WorkloadSpecError);
      assert.match((e as Error).message, message);
    }
  }
});

test('openWorkload: a missing trace name fails clearly', () => {
  assert.throws(() => openWorkload({ trace: 'azure-code' }, { tracesDirs: ['/nonexistent-dir'] }), /trace 'azure-code' not found; looked for \/nonexistent-dir\/azure_llm_2023/);
  const lengthsMissing = { synthetic: { arrivals: { kind: 'poisson', rate: 1 }, lengths: { kind: 'file', file: 'sharegpt-lengths' }, count: 5 }, seed: 1 };
  assert.throws(() => openWorkload(lengthsMissing, { tracesDirs: ['/nonexistent-dir'] }), /trace 'sharegpt-lengths' not found/);
});

testNeedingTraces(test, ['bwb-lengths'], 'openWorkload: a length file as a trace fails clearly', () => {
  assert.throws(() => openWorkload({ trace: 'bwb-lengths' }, { tracesDirs: dirs }), /has no timestamps/);
});

test.run();
