import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, through playwright-core (which never downloads a browser), with
 * a fresh profile. The flags keep it off the network: on a closed network its background
 * connections are refused and it misbehaves.
 */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's Chromium: apt-get install -y --no-install-recommends chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'shiftlab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 } }).catch((e: unknown) => {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  });
  const close = async (): Promise<void> => {
    try {
      await context.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  try {
    // tsx (esbuild keepNames) wraps named functions in __name(...); functions passed to
    // page.evaluate are serialised with it, so the page needs a no-op __name.
    await context.addInitScript('globalThis.__name = (f) => f;');
  } catch (e) {
    await close();
    throw e;
  }
  return { context, close };
}
