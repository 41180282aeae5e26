import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ICruiseOptions, type ICruiseResult, cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * Issue 16, "Layering enforced, not hoped for": DESIGN.md's layering rules, written in
 * .dependency-cruiser.cjs, checked by dependency-cruiser on src/. The second test proves each
 * rule can fire: a rule whose path pattern matched nothing would pass whatever src/ does.
 */
const repo = dirname(dirname(fileURLToPath(import.meta.url)));
// Read inside the tests (not at import time), so a broken config fails this file, not the suite.
let config: Promise<ICruiseOptions> | undefined;
const rules = (): Promise<ICruiseOptions> => (config ??= extractDepcruiseOptions(join(repo, '.dependency-cruiser.cjs')));

async function run(baseDir: string, tsConfig?: unknown): Promise<ICruiseResult> {
  const result = await cruise(['src'], { ...(await rules()), baseDir, validate: true }, {}, tsConfig === undefined ? {} : { tsConfig });
  return result.output as ICruiseResult;
}

/** One line per violation: rule, from → to, and the loop for a cycle. */
function violations(result: ICruiseResult): string[] {
  return result.summary.violations.map((v) => {
    const loop = v.cycle && v.cycle.length > 0 ? ` (cycle: ${[v.from, ...v.cycle.map((c) => c.name)].join(' → ')})` : '';
    return `${v.rule.name}: ${v.from} → ${v.to}${loop}`;
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    return e.isDirectory() ? tsFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

test('src/ follows DESIGN.md layering: no cycles, no forbidden imports', async () => {
  const result = await run(repo, extractTSConfig(join(repo, 'tsconfig.json')));
  const found = violations(result);
  assert.ok(found.length === 0, `${found.length} layering violation(s) (.dependency-cruiser.cjs; move the shared type down, do not exempt it):\n  ${found.join('\n  ')}`);
  // The verdict means something only if the tool saw every file and resolved every local import:
  // an edge it cannot resolve is an edge no rule checks.
  const cruised = new Set(result.modules.map((m) => m.source).filter((s) => s.startsWith('src/')));
  const onDisk = tsFiles(join(repo, 'src')).map((f) => relative(repo, f).split(sep).join('/'));
  assert.equal(onDisk.filter((f) => !cruised.has(f)), [], 'files under src/ the cruise did not see');
  const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve && d.module.startsWith('.')).map((d) => `${m.source} → ${d.module}`));
  assert.equal(unresolved, [], 'local imports dependency-cruiser could not resolve');
});

/**
 * One small src/ per rule with a single offence (files: their local imports), and the violations
 * the rule must report. Written to a temporary directory: these imports would break the real check.
 */
const OFFENCES: { rule: string; files: Record<string, string[]>; expected: string[] }[] = [
  {
    rule: 'no-cycles',
    files: { 'util/a.ts': ['./b.ts'], 'util/b.ts': ['./a.ts'] },
    // dependency-cruiser names a cycle once, from the first module of it in path order.
    expected: ['src/util/a.ts → src/util/b.ts'],
  },
  {
    // The loop issue 16 found (cost → comm → ops → cost through ops/cuda-calibrate.ts) with no module cycle.
    rule: 'no-folder-cycles',
    files: { 'cost/tracer.ts': ['../comm/meta.ts'], 'comm/meta.ts': ['../ops/types.ts'], 'ops/types.ts': [], 'ops/calibrate.ts': ['../cost/profile.ts'], 'cost/profile.ts': [] },
    expected: ['src/comm → src/ops', 'src/cost → src/comm', 'src/ops → src/cost'],
  },
  ...['model', 'kv', 'ops', 'comm'].map((layer) => ({
    rule: 'low-layers-not-strategies',
    files: { [`${layer}/x.ts`]: ['../strategies/types.ts'], 'strategies/types.ts': [] },
    expected: [`src/${layer}/x.ts → src/strategies/types.ts`],
  })),
  ...['cost', 'sim'].map((layer) => ({
    rule: 'cost-sim-not-exp',
    files: { [`${layer}/x.ts`]: ['../exp/run-point.ts'], 'exp/run-point.ts': [] },
    expected: [`src/${layer}/x.ts → src/exp/run-point.ts`],
  })),
  ...['sim/engine.ts', 'sim/scheduler.ts', 'exec/types.ts', 'engine/pool.ts'].map((target) => ({
    rule: 'policy-not-engine',
    files: { 'policy/state.ts': [`../${target}`], [target]: [] },
    expected: [`src/policy/state.ts → src/${target}`],
  })),
  {
    rule: 'traces-not-consumers',
    files: { 'traces/load.ts': ['../sim/types.ts'], 'sim/types.ts': [] },
    expected: ['src/traces/load.ts → src/sim/types.ts'],
  },
  {
    rule: 'executor-not-cost-or-engine',
    files: { 'strategies/sp.ts': ['../cost/profile.ts'], 'cost/profile.ts': [] },
    expected: ['src/strategies/sp.ts → src/cost/profile.ts'],
  },
  {
    rule: 'cost-not-engine',
    files: { 'cost/memory.ts': ['../sim/settings.ts'], 'sim/settings.ts': [] },
    expected: ['src/cost/memory.ts → src/sim/settings.ts'],
  },
];

/** The layering as it should be (each import points down): no rule may fire on it. */
const ALLOWED: Record<string, string[]> = {
  'util/rng.ts': [],
  'model/batch.ts': [],
  'model/reference.ts': ['./batch.ts', '../util/rng.ts'],
  'parallel/mode.ts': ['../model/batch.ts'],
  'ops/types.ts': ['../parallel/mode.ts'],
  'comm/meta.ts': ['../ops/types.ts'],
  'kv/layout.ts': ['../model/batch.ts', '../parallel/mode.ts'],
  'strategies/tp.ts': ['../comm/meta.ts', '../kv/layout.ts', '../model/batch.ts'],
  'cost/tracer.ts': ['../strategies/tp.ts'],
  'policy/state.ts': ['../model/batch.ts', '../strategies/tp.ts'],
  'traces/load.ts': ['../util/rng.ts'],
  'sim/engine.ts': ['../cost/tracer.ts', '../policy/state.ts', '../traces/load.ts'],
  'exec/driver.ts': ['../strategies/tp.ts', '../policy/state.ts'],
  'exp/run-point.ts': ['../sim/engine.ts'],
  'exp/config/resolve.ts': ['../run-point.ts'],
  'cli/exp.ts': ['../exp/config/resolve.ts', '../exec/driver.ts'],
};

async function cruiseTree(files: Record<string, string[]>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlab-layering-'));
  try {
    for (const [file, imports] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, 'src', file)), { recursive: true });
      writeFileSync(join(dir, 'src', file), `${imports.map((i) => `import '${i}';\n`).join('')}export const here = '${file}';\n`);
    }
    return violations(await run(dir)).map((v) => v.replace(/ \(cycle:.*$/, ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every rule fires on its offence, and only that rule', async () => {
  for (const { rule, files, expected } of OFFENCES) {
    const found = (await cruiseTree(files)).sort();
    assert.equal(found, expected.map((e) => `${rule}: ${e}`).sort(), `rule ${rule} on ${Object.keys(files).join(', ')}`);
  }
  // Every rule of the config has an offence here: a new rule comes with one.
  const names = (await rules()).ruleSet?.forbidden?.map((r) => r.name) ?? [];
  assert.equal([...new Set(OFFENCES.map((o) => o.rule))].sort(), [...names].sort());
});

test('a layering that points down raises nothing', async () => {
  assert.equal(await cruiseTree(ALLOWED), []);
});

test.run();
