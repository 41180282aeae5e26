#!/usr/bin/env node
// Runs the uvu suite under c8 coverage and ends with the line CI reads: "N passed, N failed".
// Usage: node scripts/test.mjs [pattern]   (pattern filters test files, e.g. "executor")
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
// Package roots from their main entries (uvu does not export its package.json).
const root = (pkg) => {
  const main = require.resolve(pkg);
  return main.slice(0, main.lastIndexOf(`node_modules${path.sep}${pkg}${path.sep}`) + `node_modules${path.sep}${pkg}`.length);
};
const bin = (pkg, file) => path.join(root(pkg), file);
const pattern = process.argv[2] ? `${process.argv[2]}.*\\.test\\.ts$` : '\\.test\\.ts$';
const args = [
  bin('c8', 'bin/c8.js'), '--reporter=text-summary', '--reporter=html', '--include=src/**',
  process.execPath, '--import', 'tsx', bin('uvu', 'bin.js'), 'test', pattern,
];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const count = (label) => Number((new RegExp(`${label}:\\s+(\\d+)`).exec(plain) ?? [])[1] ?? 0);
  const [total, passed, skipped] = [count('Total'), count('Passed'), count('Skipped')];
  const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
  // A run in which every test was skipped (e.g. `test:gpu` without a GPU) proves nothing: fail it.
  if (passed + failed === 0) console.log(`\nno test ran${skipped ? ` (all ${skipped} skipped)` : ''}`);
  console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
});
