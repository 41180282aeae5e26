import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../src/exp/config/errors.ts';
import { loadExperiment } from '../src/exp/config/load.ts';
import { writeReport } from '../src/exp/report/index.ts';
import { runExperiment } from '../src/exp/runner.ts';
import { ResultsDirError, RunDir } from '../src/exp/store.ts';

/**
 * User modules as a new user writes them: in a folder of their own, outside this repository,
 * with no package.json beside them (so Node treats them as CommonJS), in TypeScript and in
 * JavaScript; and what runs record about them.
 */
const outside = mkdtempSync(join(tmpdir(), 'user-policy-'));
const write = (name: string, text: string): string => {
  writeFileSync(join(outside, name), text);
  return join(outside, name);
};

// Type annotations, an interface and ESM syntax: what plain CommonJS loading chokes on.
const TS_POLICY = `interface Params { threshold?: number }
export const params = (z: any) => z.object({ threshold: z.number().int().default(256) });
export default function createPolicy(p: Params) {
  const t: number = p.threshold ?? 256;
  return { name: 'small-first:' + t, decide: (s: { totalTokens: number }) => (s.totalTokens <= t ? 'tp' : 'sp') };
}
`;
const JS_POLICY = `export function createPolicy(params) {
  return { name: 'js-policy', decide: (s) => (s.totalTokens <= (params.threshold ?? 64) ? 'tp' : 'sp') };
}
`;
write('small-first.ts', TS_POLICY);
write('js-policy.js', JS_POLICY);

const config = (systems: string, extra = ''): string => `name: outside
model: llama-3.1-8b
systems:
${systems}
workloads:
  - name: burst
    synthetic:
      arrivals: { kind: poisson, rate: 50 }
      lengths: { kind: uniform, input: [64, 700], output: [2, 12] }
      count: 10
${extra}`;

const BOTH = `  - { name: TS, strategy: shift, world: 2, policy: { module: ./small-first.ts, params: { threshold: 300 } } }
  - { name: JS, strategy: shift, world: 2, policy: { module: ./js-policy.js, params: { threshold: 300 } } }
  - { name: TP, strategy: tp, world: 2 }`;

let n = 0;
const fresh = (): string => join(outside, `run-${n++}`);

const modules = suite('user policy modules outside the repository');

modules('a .ts and a .js module run in worker threads (--jobs 2) exactly as in this thread (--jobs 1)', async () => {
  const e = await loadExperiment(write('both.yaml', config(BOTH)));
  const pooled = await runExperiment(e, { out: fresh(), jobs: 2 });
  assert.equal(pooled.failed.map((f) => `${f.label}: ${f.error.message}`), []);
  const inline = await runExperiment(e, { out: fresh(), jobs: 1 });
  assert.equal(inline.failed, []);
  for (const u of pooled.manifest.units) {
    const [a, b] = [pooled, inline].map((o) => o.dir.readUnit(u, o.manifest.config_hash)!);
    assert.equal(a.summary, b.summary, u);
  }
  // The policies decided (both switch modes on this mix of small and large iterations).
  const ts = pooled.dir.readUnit('p000-s00', pooled.manifest.config_hash)!.summary;
  assert.ok(ts.switches > 0 && (ts.tp_iteration_fraction ?? 0) > 0, JSON.stringify(ts.iterations));
});

modules("results record a user policy by its name, module and params", async () => {
  const e = await loadExperiment(write('named.yaml', config(BOTH)));
  const o = await runExperiment(e, { out: fresh(), jobs: 1 });
  await writeReport(o.dir);
  const results = JSON.parse(readFileSync(join(o.dir.dir, 'results.json'), 'utf8')) as { points: { systems: Record<string, { policy?: string }> }[] };
  assert.is(results.points[0]!.systems.TS!.policy, 'small-first:300 (module ./small-first.ts, threshold=300)');
  assert.is(results.points[0]!.systems.JS!.policy, 'js-policy (module ./js-policy.js, threshold=300)');
});

modules('a module declaring its params schema gets typos and wrong types as errors at their key, with a suggestion', async () => {
  const bad = `  - name: TS
    strategy: shift
    world: 2
    policy:
      module: ./small-first.ts
      params: { treshold: 300 }
  - { name: T2, strategy: shift, world: 2, policy: { module: ./small-first.ts, params: { threshold: lots } } }`;
  const e = await loadExperiment(write('typo.yaml', config(bad))).then(() => assert.unreachable('loaded'), (x: unknown) => x as ConfigError);
  assert.ok(e instanceof ConfigError, String(e));
  const lines = e.message.split('\n');
  assert.ok(lines.some((l) => /typo\.yaml:9:\d+: systems\[0\]\.policy\.params\.treshold: unknown key; did you mean 'threshold'\?/.test(l)), e.message);
  assert.ok(lines.some((l) => /systems\[1\]\.policy\.params\.threshold: expected number, got string "lots"/.test(l)), e.message);
});

const resume = suite('--resume and mixed versions of user modules and code');

resume('a policy module edited between interrupt and resume is refused, naming it and its hashes', async () => {
  const policy = write('edited.ts', TS_POLICY);
  const file = write('edited.yaml', config(`  - { name: E, strategy: shift, world: 2, policy: { module: ./edited.ts } }\n  - { name: TP, strategy: tp, world: 2 }`));
  const e = await loadExperiment(file);
  const stop = new AbortController();
  const out = fresh();
  const first = await runExperiment(e, { out, jobs: 1, signal: stop.signal, onUnitSaved: () => stop.abort() });
  assert.ok(first.interrupted);
  const recorded = first.manifest.provenance!.files['policy ./edited.ts'];
  assert.match(recorded ?? '', /^[0-9a-f]{16}$/);
  writeFileSync(policy, TS_POLICY.replace("'tp' : 'sp'", "'sp' : 'tp'"));
  const again = await loadExperiment(file);
  await runExperiment(again, { resume: out, jobs: 1 }).then(
    () => assert.unreachable('resumed over an edited policy'),
    (err: Error) => {
      assert.ok(err instanceof ResultsDirError, String(err));
      assert.match(err.message, `policy ./edited.ts: its content changed (sha256 ${recorded} → `);
    },
  );
  // Restored, it resumes; the lock of the refused attempt was released.
  writeFileSync(policy, TS_POLICY);
  const done = await runExperiment(await loadExperiment(file), { resume: out, jobs: 1 });
  assert.equal(done.failed, []);
  assert.is(done.reused.length, 1);
});

resume('a module edited while the run is going fails the units after the edit instead of mixing versions', async () => {
  const policy = write('midrun.ts', TS_POLICY);
  const e = await loadExperiment(write('midrun.yaml', config(`  - { name: M, strategy: shift, world: 2, policy: { module: ./midrun.ts } }`, 'sweep: { r: [1, 2] }\n').replace('count: 10', "count: '${r}'")));
  const o = await runExperiment(e, { out: fresh(), jobs: 1, onUnitSaved: () => writeFileSync(policy, `${TS_POLICY}// edited\n`) });
  assert.is(o.ran.length, 1);
  assert.is(o.failed.length, 1);
  assert.match(o.failed[0]!.error.message, /midrun\.ts changed since this run started \(sha256 [0-9a-f]{16} → [0-9a-f]{16}\)/);
});

resume("a change of the project's code is refused too, saying which commit the run had", async () => {
  const e = await loadExperiment(write('code.yaml', config('  - { name: TP, strategy: tp, world: 2 }')));
  const out = fresh();
  const o = await runExperiment(e, { out, jobs: 1 });
  const dir = new RunDir(out);
  const m = dir.manifest();
  assert.match(m.provenance!.project.code_hash, /^[0-9a-f]{16}$/);
  // As if the run had been made by another checkout: its recorded code hash differs.
  dir.writeManifest({ ...m, provenance: { ...m.provenance!, project: { commit: 'abcdef0123456789', dirty: true, code_hash: '0000000000000000' } } });
  await runExperiment(e, { resume: out, jobs: 1 }).then(
    () => assert.unreachable('resumed over other code'),
    (err: Error) => assert.match(err.message, /the project's code \(src\/, package-lock\.json\): commit abcdef012345 with uncommitted changes then, .* now \(code hash 0000000000000000 → [0-9a-f]{16}\)/),
  );
  assert.equal(o.failed, []);
});

resume('results.json records the provenance: project fingerprint and every file read', async () => {
  const e = await loadExperiment(write('prov.yaml', config(BOTH)));
  const o = await runExperiment(e, { out: fresh(), jobs: 1 });
  await writeReport(o.dir);
  const r = JSON.parse(readFileSync(join(o.dir.dir, 'results.json'), 'utf8')) as { provenance: { project: { code_hash: string }; files: Record<string, string> } };
  assert.equal(Object.keys(r.provenance.files), ['policy ./js-policy.js', 'policy ./small-first.ts']);
  assert.is(r.provenance.project.code_hash, o.manifest.provenance!.project.code_hash);
});

modules.run();
resume.run();
