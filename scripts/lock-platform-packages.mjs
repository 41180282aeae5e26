#!/usr/bin/env node
// Completes package-lock.json with the platform packages a registry mirror does not carry.
//
// node-llama-cpp lists one optional dependency per platform (@node-llama-cpp/win-x64, mac-x64, …).
// Where the registry this machine uses lacks some of them for the pinned version, `npm install`
// silently leaves them out of the lock, and `npm ci` then refuses the lock ("Missing: … from lock
// file"). Their lock entries only need the version and the os/cpu fields: npm ci skips a package
// for another platform without fetching it. Run this after any `npm install` that rewrote the lock:
//
//   npm install && node scripts/lock-platform-packages.mjs && rm -rf node_modules && npm ci
//
// test/lockfile.test.ts fails while an optional dependency is missing from the lock.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const file = path.join(repo, 'package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));

/** os and cpu of node-llama-cpp's platform package names (the npm names of process.platform/arch). */
const OS = { linux: 'linux', mac: 'darwin', win: 'win32' };
function platformOf(name) {
  const m = /^@node-llama-cpp\/(linux|mac|win)-(x64|arm64|armv7l|riscv64)/.exec(name);
  if (!m) return null;
  return { os: [OS[m[1]]], cpu: [m[2] === 'armv7l' ? 'arm' : m[2]] };
}

let added = 0;
for (const [where, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key]) continue;
    const platform = platformOf(dep);
    if (!platform) {
      console.error(`${where || 'package.json'}: optional dependency ${dep} is missing from the lock and is not a known platform package; fix the lock by hand`);
      process.exitCode = 1;
      continue;
    }
    // Keys in the order npm writes them, so a later `npm install` leaves these entries as they are.
    lock.packages[key] = { version, cpu: platform.cpu, ...(entry.dev ? { dev: true } : {}), license: 'MIT', optional: true, os: platform.os, engines: { node: '>=20.0.0' } };
    console.log(`added ${key}@${version} (${platform.os[0]} ${platform.cpu[0]})`);
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
console.log(added ? `${added} platform package(s) added to package-lock.json` : 'package-lock.json lists every optional dependency');
