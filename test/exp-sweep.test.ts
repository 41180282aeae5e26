import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { expandPoints } from '../src/exp/config/expand.ts';
import { loadExperiment } from '../src/exp/config/load.ts';
import { combinations, substitute } from '../src/exp/config/placeholders.ts';
import { buildManifest } from '../src/exp/manifest.ts';
import { ShardError, inShard, parseShard } from '../src/exp/shard.ts';
import type { KeyIssue } from '../src/util/issues.ts';

const sweep = suite('sweep expansion');

sweep('placeholders keep the type of a whole value and interpolate inside text', () => {
  const issues: KeyIssue[] = [];
  const out = substitute({ rate: '${r}', name: 'S-${r}', list: ['${flag}', 'x'] }, { r: 4, flag: true }, { base: [], issues });
  assert.equal(out, { rate: 4, name: 'S-4', list: [true, 'x'] });
  assert.equal(issues, []);
});

sweep('combinations: every one, the last variable fastest', () => {
  assert.equal(combinations({ a: [1, 2], b: ['x', 'y', 'z'] }).map((c) => `${c.a}${c.b}`), ['1x', '1y', '1z', '2x', '2y', '2z']);
  assert.equal(combinations({}), [{}]);
});

sweep('a sweep variable multiplies only the workloads that use it; expand multiplies systems', () => {
  const issues: KeyIssue[] = [];
  const points = expandPoints(
    {
      systems: [{ name: 'TP', strategy: 'tp' }, { name: 'S-${t}', strategy: 'shift', policy: 'threshold:${t}', expand: { t: [64, 512, 4096] } }],
      workloads: [{ name: 'rated', synthetic: { arrivals: { kind: 'poisson', rate: '${rate}' } } }, { name: 'fixed', trace: 'azure-code' }],
      sweep: { rate: [1, 2, 4] },
    },
    issues,
  );
  assert.equal(issues, []);
  assert.is(points.length, 3 + 1);
  assert.equal(points.map((p) => p.params), [{ workload: 'rated', rate: 1 }, { workload: 'rated', rate: 2 }, { workload: 'rated', rate: 4 }, { workload: 'fixed' }]);
  assert.equal((points[2]!.workload.value.synthetic as { arrivals: { rate: unknown } }).arrivals.rate, 4);
  for (const p of points) {
    assert.equal(p.systems.map((s) => s.value.name), ['TP', 'S-64', 'S-512', 'S-4096']);
    assert.equal(p.systems.map((s) => s.value.policy), [undefined, 'threshold:64', 'threshold:512', 'threshold:4096']);
  }
});

sweep('a sweep variable used by a system applies to every workload', () => {
  const issues: KeyIssue[] = [];
  const points = expandPoints(
    { systems: [{ name: 'S', strategy: 'shift', policy: 'threshold:${t}' }], workloads: [{ name: 'a' }, { name: 'b' }], sweep: { t: [64, 128] } },
    issues,
  );
  assert.equal(points.map((p) => `${p.params.workload}/${p.params.t}/${p.systems[0]!.value.policy}`), ['a/64/threshold:64', 'a/128/threshold:128', 'b/64/threshold:64', 'b/128/threshold:128']);
});

sweep('expansion errors: a name without the variables, a sweep variable in a name', () => {
  const issues: KeyIssue[] = [];
  expandPoints({ systems: [{ name: 'S', strategy: 'shift', expand: { t: [1, 2] } }, { name: 'X-${r}', strategy: 'tp' }], workloads: [{ name: 'w' }], sweep: { r: [1] } }, issues);
  assert.equal(issues.map((i) => i.path.join('.')), ['systems.0.name', 'systems.1.name']);
});

sweep('a loaded config numbers its points and units; shards partition them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exp-sweep-'));
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    `model: llama-3.1-8b\nsystems:\n  - { name: TP, strategy: tp, world: 2 }\n  - name: S-\${t}\n    strategy: shift\n    world: 2\n    policy: 'threshold:\${t}'\n    expand: { t: [64, 512] }\nworkloads:\n  - name: p\n    synthetic: { arrivals: { kind: poisson, rate: '\${rate}' }, lengths: { kind: fixed, input: 10, output: 2 }, count: 2 }\nsweep: { rate: [1, 2, 4, 8, 16] }\n`,
  );
  const e = await loadExperiment(file);
  assert.equal(e.points.map((p) => p.id), ['p000', 'p001', 'p002', 'p003', 'p004']);
  const m = buildManifest(e, null);
  assert.is(m.units.length, 15);
  assert.equal(m.points[1]!.systems.map((s) => s.unit), ['p001-s00', 'p001-s01', 'p001-s02']);
  const shards = [1, 2, 3].map((i) => buildManifest(e, { index: i, count: 3 }).units);
  assert.equal(shards.map((u) => u.length), [6, 6, 3]);
  assert.equal([...shards.flat()].sort(), [...m.units].sort());
  assert.is(buildManifest(e, null).config_hash, m.config_hash);
});

const shard = suite('--shard i/n');

shard('parses i/n with shards numbered from 1, and refuses anything else', () => {
  assert.equal(parseShard('2/8'), { index: 2, count: 8 });
  for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) assert.throws(() => parseShard(bad), (e: Error) => e instanceof ShardError);
  assert.equal([0, 1, 2, 3, 4, 5].filter((i) => inShard(i, { index: 2, count: 3 })), [1, 4]);
});

sweep.run();
shard.run();
