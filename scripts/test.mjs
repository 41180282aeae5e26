#!/usr/bin/env node
// Runs the uvu suite with V8 coverage, reports it with c8, and ends with the line CI reads:
// "N passed, N failed". Usage: node scripts/test.mjs [pattern]   (filters test files by name)
//
// Coverage is collected raw (NODE_V8_COVERAGE) and pruned to src/ before c8 reads it: every
// rank worker thread dumps coverage and source maps of everything it loaded (tfjs, vega, …),
// ~20 MB a thread, which would otherwise exhaust c8's heap when merging hundreds of threads.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
// Package roots from their main entries (uvu does not export its package.json).
const root = (pkg) => {
  const main = require.resolve(pkg);
  const marker = `node_modules${path.sep}${pkg}`;
  return main.slice(0, main.lastIndexOf(`${marker}${path.sep}`) + marker.length);
};
const pattern = process.argv[2] ? `${process.argv[2]}.*\\.test\\.ts$` : '\\.test\\.ts$';
const coverageDir = path.join(repo, 'coverage');
const rawDir = path.join(coverageDir, 'tmp');

function run(args, env, onStdout) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: repo, env, stdio: ['ignore', onStdout ? 'pipe' : 'inherit', 'inherit'] });
    child.stdout?.on('data', onStdout);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Keeps only the entries of this repository's src/ in every raw coverage file. */
function pruneCoverage() {
  const prefix = pathToFileURL(path.join(repo, 'src')).href + '/';
  for (const file of readdirSync(rawDir)) {
    const full = path.join(rawDir, file);
    const raw = JSON.parse(readFileSync(full, 'utf8'));
    raw.result = raw.result.filter((r) => r.url.startsWith(prefix));
    const maps = raw['source-map-cache'] ?? {};
    raw['source-map-cache'] = Object.fromEntries(Object.entries(maps).filter(([url]) => url.startsWith(prefix)));
    writeFileSync(full, JSON.stringify(raw));
  }
}

rmSync(coverageDir, { recursive: true, force: true });
mkdirSync(rawDir, { recursive: true });
let out = '';
const code = await run(['--import', 'tsx', path.join(root('uvu'), 'bin.js'), 'test', pattern], { ...process.env, NODE_V8_COVERAGE: rawDir }, (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
pruneCoverage();
await run([path.join(root('c8'), 'bin/c8.js'), 'report', '--temp-directory', rawDir, '--reports-dir', coverageDir, '--reporter=text-summary', '--reporter=html', '--include=src/**'], process.env);

const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
const count = (label) => Number((new RegExp(`${label}:\\s+(\\d+)`).exec(plain) ?? [])[1] ?? 0);
const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
// A run in which every test was skipped (e.g. `test:gpu` without a GPU) proves nothing: fail it.
if (passed + failed === 0) console.log(`\nno test ran${skipped ? ` (all ${skipped} skipped)` : ''}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
