import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../src/exp/config/errors.ts';
import { loadExperiment } from '../src/exp/config/load.ts';
import { unquotedFlowPlaceholder } from '../src/exp/config/yaml-source.ts';
import { expInProcess } from './helpers/exp-cli.ts';

/**
 * Every example of README.md and configs/README.md runs here as written: a user copies them
 * first. Fenced ```yaml blocks are configs, fenced ```sh blocks are commands, and inline
 * `policy: {...}` snippets are policy specs. An example this test does not know how to run
 * fails it, so a new example gets a test when it is written.
 */
const repo = fileURLToPath(new URL('..', import.meta.url));
const DOCS = ['README.md', 'configs/README.md'];
const tmp = mkdtempSync(join(tmpdir(), 'exp-docs-'));

interface Block {
  readonly doc: string;
  readonly lang: string;
  readonly text: string;
}

function blocks(doc: string): Block[] {
  const text = readFileSync(join(repo, doc), 'utf8');
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ doc, lang: m[1]!, text: m[2]! }));
}

const all = DOCS.flatMap(blocks);
const docs = suite('the examples of README.md and configs/README.md');

docs('every fenced block is a yaml config, a sh command, or prose (the layout tree)', () => {
  assert.ok(all.length >= 4, `found ${all.length} blocks`);
  for (const b of all.filter((x) => x.lang !== 'yaml' && x.lang !== 'sh')) {
    assert.is(b.lang, '', `${b.doc}: a \`\`\`${b.lang} block: teach this test to run it`);
    assert.not.match(b.text, /^\s*(yarn|npm|npx|node|name:|systems:)/m, `${b.doc}: an unlabelled block that looks like an example:\n${b.text}`);
  }
});

docs('the yaml examples are valid as written, and plan what their comments say', async () => {
  const yaml = all.filter((b) => b.lang === 'yaml');
  assert.ok(yaml.length > 0);
  for (const [i, b] of yaml.entries()) {
    const file = join(tmp, `example-${i}.yaml`);
    writeFileSync(file, b.text);
    // The sweep example is a full study (70B, 8k prompts, 20 units): validated and planned, not simulated.
    const r = await expInProcess([file, '--dry-run']);
    assert.is(r.code, 0, `${b.doc} example ${i}:\n${r.stderr}`);
    // "# 4 points × 5 systems = 20 runs": the plan must agree with the comment.
    const claim = /# (\d+) points × (\d+) systems = (\d+) runs/.exec(b.text);
    if (claim) assert.match(r.stderr, `${claim[3]} unit(s) (${claim[1]} point(s) × ${claim[2]} system(s))`);
  }
});

docs('the sh examples run as written (a full study with --dry-run added)', () => {
  const scripts = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const commands = all.filter((b) => b.lang === 'sh').flatMap((b) => b.text.split(/&&|\n/).map((c) => c.trim()).filter(Boolean));
  assert.ok(commands.length > 0);
  for (const c of commands) {
    if (c === 'npm ci') {
      // Not run: it would reinstall node_modules under the running suite. The lock file it needs is checked.
      assert.ok(JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')).lockfileVersion >= 2);
    } else if (c === 'npm run typecheck' || c === 'npm test') {
      // Not run here: `npm test` is this suite, and CI runs the typecheck right before it. Both must exist.
      assert.ok(scripts[c.replace(/^npm (run )?/, '')], c);
    } else if (/^npm run exp -- \S+\.yaml$/.test(c)) {
      // A full study: run through npm as written, plus --dry-run (validates, traces included, and plans).
      const r = spawnSync('npm', ['run', '--silent', ...c.split(/\s+/).slice(2), '--dry-run'], { cwd: repo, encoding: 'utf8' });
      assert.is(r.status, 0, `${c}:\n${r.stderr}`);
      assert.match(r.stderr, /plan: \d+ unit\(s\)/);
    } else {
      assert.unreachable(`README command '${c}' is not run by this test: add how to run it`);
    }
  }
});

docs('the inline policy specs of README.md load in a config beside configs/', async () => {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const specs = [...readme.matchAll(/`(policy: \{[^`]*\})`/g)].map((m) => m[1]!);
  assert.ok(specs.length >= 2, `found ${specs.length}`);
  // Paths in them are relative to a config in configs/: mirror that layout.
  const base = join(tmp, 'layout');
  mkdirSync(join(base, 'configs'), { recursive: true });
  symlinkSync(join(repo, 'examples'), join(base, 'examples'));
  for (const [i, spec] of specs.entries()) {
    const file = join(base, 'configs', `policy-${i}.yaml`);
    writeFileSync(file, `model: llama-3.1-8b\nsystems:\n  - name: S\n    strategy: shift\n    world: 2\n    ${spec}\nworkloads:\n  - { name: w, synthetic: { arrivals: { kind: saturate }, lengths: { kind: fixed, input: 64, output: 4 }, count: 2 } }\n`);
    const e = await loadExperiment(file).catch((err: unknown) => {
      throw new Error(`${spec}: ${(err as Error).message}`);
    });
    assert.ok(e.points[0]!.systems[0]!.policy !== undefined, spec);
  }
});

const hint = suite('a placeholder unquoted inside { } (the old documented form) is explained');

hint('the YAML error points at the placeholder and says to quote it; cascading errors are counted, not listed', async () => {
  const file = join(tmp, 'unquoted.yaml');
  writeFileSync(file, 'systems: [{ name: TP, strategy: tp }]\nworkloads:\n  - name: w\n    synthetic:\n      arrivals: { kind: poisson, rate: ${rate} }\n      lengths: { kind: fixed, input: 10, output: 2 }\n      count: 3\nsweep: { rate: [1, 2] }\n');
  const e = await loadExperiment(file).then(() => assert.unreachable('loaded'), (err: unknown) => err as ConfigError);
  assert.ok(e instanceof ConfigError);
  const h = e.issues.find((i) => i.message.startsWith('hint:'));
  assert.ok(h, e.message);
  assert.equal([h!.line, h!.col], [5, 40]);
  assert.match(h!.message, "quote it, '${rate}'");
  assert.ok(e.issues.length <= 4, `${e.issues.length} issues listed:\n${e.message}`);
  assert.match(e.message, /more YAML errors? after this line/);
});

hint('the scanner finds flow placeholders only: not quoted, not in block values, not in comments', () => {
  assert.is(unquotedFlowPlaceholder('a: ${x}\nb: Shift-${y}\n'), undefined);
  assert.is(unquotedFlowPlaceholder("a: { r: '${x}', s: \"${y}\" }\n"), undefined);
  assert.is(unquotedFlowPlaceholder('a: { r: 1 } # { r: ${x} }\n'), undefined);
  assert.equal(unquotedFlowPlaceholder('a: [1,\n  ${x}]\n'), { line: 2, col: 3, text: '${x}' });
  assert.equal(unquotedFlowPlaceholder('p: { name: t, threshold: ${t} }'), { line: 1, col: 26, text: '${t}' });
});

docs.run();
hint.run();
