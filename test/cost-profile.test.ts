import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProfileError, getProfile, loadProfileFile, parseProfile, profileNames } from '../src/cost/index.ts';
import { H200_ROOFLINE as H200 } from '../src/cost/profiles/h200-roofline.ts';

/** Hardware profiles: the built-ins satisfy the JSON schema; bad JSON is refused by key path. */

const roundTrip = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

test('every built-in profile round-trips through JSON and the schema', () => {
  assert.equal(profileNames().sort(), ['h100-sxm', 'h100-sxm-roofline', 'h200', 'h200-roofline']);
  for (const name of profileNames()) {
    const p = getProfile(name);
    assert.equal(parseProfile(roundTrip(p)), roundTrip(p), name);
  }
});

test('a profile file loads by path (.json) through getProfile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'profile-'));
  const file = path.join(dir, 'measured.json');
  writeFileSync(file, JSON.stringify({ ...H200, name: 'h200-measured', hbm: { ...H200.hbm, efficiency: 0.85 } }));
  const p = getProfile(file);
  assert.is(p.name, 'h200-measured');
  assert.is(p.hbm.efficiency, 0.85);
});

test('every problem of a bad profile is reported at once, by key path', () => {
  const bad = roundTrip(H200) as Record<string, any>;
  bad.hbm.efficiency = 1.2;
  delete bad.gemm.fp8.peak_flops;
  bad.attention.efficiency_by_context = [[1024, 0.4], [512, 0.3]];
  bad.collectives = bad.collectives.filter((c: { algorithm: string }) => c.algorithm !== 'nccl_ring');
  bad.extra = 1;
  try {
    parseProfile(bad, 'my.json');
    assert.unreachable('a bad profile was accepted');
  } catch (e) {
    assert.instance(e, ProfileError);
    const msg = (e as Error).message;
    assert.match(msg, /^my\.json: \d+ problems/);
    for (const key of ['hbm.efficiency', 'gemm.fp8.peak_flops', 'attention.efficiency_by_context', 'collectives', '(top level)']) {
      assert.ok(msg.includes(`  ${key}:`), `no issue names ${key}:\n${msg}`);
    }
    assert.match(msg, /no algorithm without max_bytes covers 'all_gather'/);
  }
});

test('unreadable or malformed files and unknown names say what to do', () => {
  assert.throws(() => loadProfileFile('/nonexistent/p.json'), (e: Error) => e instanceof ProfileError && /cannot read it/.test(e.message));
  const dir = mkdtempSync(path.join(tmpdir(), 'profile-'));
  const file = path.join(dir, 'broken.json');
  writeFileSync(file, '{ "version": 1,');
  assert.throws(() => loadProfileFile(file), (e: Error) => /not valid JSON/.test(e.message));
  assert.throws(() => getProfile('b200'), (e: Error) => /unknown hardware profile 'b200'; built-in: h100-sxm, h100-sxm-roofline, h200, h200-roofline/.test(e.message));
});

test.run();
