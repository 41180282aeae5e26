/** A validation problem at a key path, e.g. `systems[2].policy.threshold`. */
export interface KeyIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** `a.b[2].c` for ['a', 'b', 2, 'c']; `(top level)` for []. */
export function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** One line per issue, prefixed with where the input came from. */
export function formatIssues(where: string, issues: readonly KeyIssue[]): string {
  return [`${where}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, ...issues.map((i) => `  ${keyPath(i.path)}: ${i.message}`)].join('\n');
}
