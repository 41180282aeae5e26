import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../src/exp/config/errors.ts';
import { type Experiment, loadExperiment } from '../src/exp/config/load.ts';
import { configReference } from '../src/exp/config/reference.ts';
import { strategyNames } from '../src/strategies/registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'exp-config-'));
let n = 0;

/** Writes `text` to a fresh YAML file and loads it. */
function load(text: string, tracesDirs: string[] = []): Promise<Experiment> {
  const file = join(dir, `c${n++}.yaml`);
  writeFileSync(file, text);
  return loadExperiment(file, tracesDirs.length > 0 ? { tracesDirs } : {});
}

/** The ConfigError of loading `text`; fails the test if it loads. */
async function problems(text: string, tracesDirs: string[] = []): Promise<ConfigError> {
  try {
    await load(text, tracesDirs);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new assert.Assertion({ message: 'expected a ConfigError', operator: 'throws', actual: 'loaded', expects: 'ConfigError' });
}

const WORKLOAD = `
workloads:
  - name: w
    synthetic:
      arrivals: { kind: poisson, rate: 1 }
      lengths: { kind: fixed, input: 100, output: 10 }
      count: 4
`;

const errors = suite('config errors name the file, line, key path and what was expected');

errors('a typo in a key is an error at its key path, with a "did you mean"', async () => {
  const e = await problems(`systems:\n  - { name: TP, strategy: tp }\n  - name: Shift\n    strategy: shift\n    polcy: threshold\n${WORKLOAD}`);
  assert.is(e.issues.length, 1);
  assert.equal(e.issues[0]!.path, ['systems', 1, 'polcy']);
  assert.is(e.issues[0]!.line, 5);
  assert.match(e.message, /c\d+\.yaml:5:5: systems\[1\]\.polcy: unknown key; did you mean 'policy'\?/);
});

errors('a wrong type says what was expected and what was given', async () => {
  const e = await problems(`engine: { max_num_seqs: lots }\nsystems: [{ name: TP, strategy: tp }]\n${WORKLOAD}`);
  assert.match(e.message, /engine\.max_num_seqs: expected number, got string "lots"/);
});

errors('a bad policy is reported at its path; a wrong enum gets a suggestion', async () => {
  const e = await problems(`systems:\n  - { name: S, strategy: shift, policy: 'nope:3' }\n  - { name: T, strategy: tpp }\n${WORKLOAD}`);
  assert.match(e.message, /systems\[0\]\.policy: unknown policy 'nope'; built-in policies: threshold/);
  // The choices are the registry's strategies, in its order.
  const choices = strategyNames().map((n) => `'${n}'`).join(', ');
  assert.ok(e.message.includes(`systems[1].strategy: expected one of ${choices}, got string "tpp"; did you mean 'tp'?`), e.message);
});

errors('policy parameters are checked, naming the expand value that broke them', async () => {
  const e = await problems(`systems:\n  - name: S-\${t}\n    strategy: shift\n    policy: { name: threshold, threshold: '\${t}' }\n    expand: { t: [64, -1] }\n${WORKLOAD}`);
  assert.is(e.issues.length, 1);
  assert.equal(e.issues[0]!.path, ['systems', 0, 'policy', 'threshold']);
  assert.match(e.issues[0]!.message, /-1.*\(where t = -1\)/);
});

errors("a typo in a built-in policy's params is named at its key, with a suggestion", async () => {
  const e = await problems(`systems:\n  - name: S\n    strategy: shift\n    policy: { name: hysteresis, lwo: 128, high: 2048 }\n${WORKLOAD}`);
  assert.match(e.message, /c\d+\.yaml:4:33: systems\[0\]\.policy\.lwo: unknown key; did you mean 'low'\?/);
});

errors('every problem is reported at once, in file order', async () => {
  const e = await problems(`seeed: 1\nsystems:\n  - { name: TP, strategy: tp, policy: threshold }\n  - { name: SP, strategy: sp, sp: 3 }\n  - { name: TP, strategy: dp }\nworkloads:\n  - name: w\n    synthetic: { arrivals: { kind: poison, rate: 1 }, lengths: { kind: fixed, input: 1, output: 1 }, count: 1 }\n`);
  const paths = e.issues.map((i) => i.path.join('.'));
  assert.equal(paths, ['seeed', 'systems.2.name', 'workloads.0.synthetic.arrivals.kind']);
  // With the top level fixed, the resolution problems show up together too.
  const f = await problems(`systems:\n  - { name: TP, strategy: tp, policy: threshold }\n  - { name: SP, strategy: sp, sp: 3 }\n  - { name: TP, strategy: dp }\n${WORKLOAD}`);
  assert.equal(f.issues.map((i) => i.path.join('.')), ['systems.0.policy', 'systems.1.sp', 'systems.2.name']);
  assert.match(f.message, /sp 3 does not divide the world size 8/);
  assert.match(f.message, /duplicate system name 'TP' \(also systems\[0\]\)/);
});

errors('a deployment the model cannot use is refused before running', async () => {
  const e = await problems(`model: tiny\nsystems: [{ name: S, strategy: shift, world: 16 }]\n${WORKLOAD}`);
  assert.equal(e.issues[0]!.path, ['systems', 0]);
  assert.match(e.issues[0]!.message, /query heads are not divisible by 16/);
});

errors('placeholders: an unknown variable and an unused sweep variable are errors', async () => {
  const e = await problems(`systems: [{ name: TP, strategy: tp }]\nworkloads:\n  - name: w\n    synthetic: { arrivals: { kind: poisson, rate: '\${rte}' }, lengths: { kind: fixed, input: 1, output: 1 }, count: 1 }\nsweep: { rate: [1, 2] }\n`);
  assert.match(e.message, /workloads\[0\]\.synthetic\.arrivals\.rate: unknown variable \$\{rte\}; did you mean 'rate'\?/);
  assert.match(e.message, /sweep\.rate: not used/);
});

errors('a missing trace names the trace and how to get it; optional skips it with a note', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-traces-'));
  const trace = (optional: boolean): string => `systems: [{ name: TP, strategy: tp }]\n${WORKLOAD}  - { name: code, trace: azure-code, optional: ${optional} }\n`;
  const e = await problems(trace(false), [empty]);
  assert.equal(e.issues[0]!.path, ['workloads', 1, 'trace']);
  assert.match(e.message, /trace 'azure-code' not found.*yarn traces download/);
  const x = await load(trace(true), [empty]);
  assert.equal(x.skipped.map((s) => s.workload), ['code']);
  assert.is(x.points.length, 1);
});

errors('a YAML syntax error names its line', async () => {
  const e = await problems('systems: [ { name: TP\nworkloads: 3\n');
  assert.ok(e.issues[0]!.line !== undefined);
  assert.match(e.message, /YAML syntax/);
});

const resolved = suite('the resolved config');

resolved('every default is filled in; templates keep their placeholders', async () => {
  const x = await load(`systems:\n  - { name: DP, strategy: dp }\n  - { name: Shift, strategy: shift }\n  - name: S-\${t}\n    strategy: shift\n    policy: 'threshold:\${t}'\n    expand: { t: [64, 128] }\n${WORKLOAD}`);
  const r = x.resolved as { engine: Record<string, unknown>; systems: Record<string, unknown>[]; model: string; dtype: string };
  assert.equal(r.engine, {
    max_num_batched_tokens: 131072, max_num_seqs: 1024, block_size: 16, gpu_memory_utilization: 0.9, max_model_len: 131072,
    enable_prefix_caching: false, prefix_block_tokens: 512, cuda_graphs: true,
  });
  assert.is(r.model, 'llama-3.3-70b');
  assert.is(r.dtype, 'fp8');
  assert.equal(r.systems[0], { name: 'DP', strategy: 'dp', world: 8, sp: 1, tp: 1, router: 'least-outstanding' });
  assert.equal(r.systems[1], { name: 'Shift', strategy: 'shift', world: 8, sp: 8, tp: 1, policy: 'threshold:512' });
  assert.equal(r.systems[2], { name: 'S-${t}', strategy: 'shift', world: 8, sp: 8, tp: 1, policy: 'threshold:${t}', expand: { t: [64, 128] } });
  assert.equal(x.points[0]!.systems.map((s) => s.name), ['DP', 'Shift', 'S-64', 'S-128']);
});

resolved('the reference lists every key with its default', () => {
  const ref = configReference();
  for (const key of ['`engine.max_num_batched_tokens` (integer; default: 131072)', '`systems[].policy`', '`systems[].expand`', '`workloads[].window.start`', '`compare[].paper`', 'Placeholders, expand and sweep']) {
    assert.ok(ref.includes(key), `reference lacks ${key}`);
  }
});

resolved('the shipped configs load; configs/README.md carries the current reference', async () => {
  const configs = fileURLToPath(new URL('../configs/', import.meta.url));
  const flagship = await loadExperiment(join(configs, 'shift-vs-tp.yaml'));
  assert.equal(flagship.points[0]!.systems.map((s) => `${s.name}:${s.strategy}:${s.world}:${s.sp}:${s.tp}`), ['DP:dp:8:1:1', 'TP:tp:8:1:8', 'SP:sp:8:8:1', 'Shift:shift:8:8:1']);
  assert.is((await loadExperiment(join(configs, 'smoke.yaml'))).points.length >= 3, true);
  try {
    const policies = await loadExperiment(join(configs, 'policies.yaml'));
    assert.is(policies.points.length, 3);
    assert.is(policies.points[0]!.systems.length, 12);
  } catch (e) {
    // Without the Azure trace (a clone without ../shared/traces) the only problem is the trace.
    assert.ok(e instanceof ConfigError && e.issues.every((i) => /trace 'azure-code' not found/.test(i.message)), String(e));
  }
  assert.ok(readFileSync(join(configs, 'README.md'), 'utf8').includes(configReference()), 'configs/README.md is stale: regenerate its reference with `yarn exp keys`');
});

errors.run();
resolved.run();
