import { type KeyIssue, keyPath } from '../../util/issues.ts';

/** A config problem with where it is in the file (1-based line and column), when known. */
export interface LocatedIssue extends KeyIssue {
  readonly line?: number;
  readonly col?: number;
}

/**
 * Every problem of one config file, reported at once, one line each:
 *   configs/x.yaml:14:5: systems[1].polcy: unknown key; did you mean 'policy'? ...
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly issues: readonly LocatedIssue[],
  ) {
    const lines = issues.map((i) => `  ${file}${i.line === undefined ? '' : `:${i.line}:${i.col ?? 1}`}: ${keyPath(i.path)}: ${i.message}`);
    super([`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}`, ...lines].join('\n'));
  }
}

/** One ConfigError for `issues` of `file`: duplicates dropped, each located by `locate`, in file order. */
export function configErrorOf(file: string, issues: readonly KeyIssue[], locate: (issue: KeyIssue) => LocatedIssue): ConfigError {
  const seen = new Set<string>();
  const unique = issues.filter((i) => !seen.has(JSON.stringify(i)) && seen.add(JSON.stringify(i)));
  const located = unique.map(locate);
  return new ConfigError(file, located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)));
}
