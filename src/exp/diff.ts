import { keyPath } from '../util/issues.ts';

/** Key paths where `a` and `b` differ (at most `limit`), e.g. ['systems[3].policy', 'seed']. */
export function diffPaths(a: unknown, b: unknown, limit = 10): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: (string | number)[]): void => {
    if (out.length >= limit) return;
    const bothObjects = typeof x === 'object' && x !== null && typeof y === 'object' && y !== null && Array.isArray(x) === Array.isArray(y);
    if (!bothObjects) {
      if (JSON.stringify(x) !== JSON.stringify(y)) out.push(keyPath(path));
      return;
    }
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], [...path, Array.isArray(x) ? Number(k) : k]);
  };
  walk(a, b, []);
  return out;
}
