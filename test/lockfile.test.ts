import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

/**
 * `npm ci` (CI's and the README's install) refuses a lock that misses any optional dependency a
 * locked package declares ("Missing: … from lock file"). On a registry mirror without some of
 * node-llama-cpp's platform packages, `npm install` silently writes such a lock; this test names
 * what is missing and the fix, instead of a red CI run at install time. It also keeps the lock
 * free of registry URLs (developers' guide).
 */
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { optionalDependencies?: Record<string, string>; version?: string; resolved?: string }>;
};

test('every optional dependency of a locked package is in the lock, at the declared version', () => {
  const missing: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const got = lock.packages[`node_modules/${dep}`];
      if (!got || (/^\d/.test(version) && got.version !== version)) missing.push(`${dep}@${version} (for ${where || 'package.json'})`);
    }
  }
  assert.equal(missing, [], `npm ci would refuse the lock; run node scripts/lock-platform-packages.mjs. Missing: ${missing.join(', ')}`);
});

test('the lock records no registry URLs', () => {
  const urls = Object.entries(lock.packages).filter(([, e]) => e.resolved !== undefined).map(([k]) => k);
  assert.equal(urls, []);
});

test.run();
