/** Errors of the trace layer. Every message names the file (and line), key or value at fault. */

/** How each caller turns skipping on (the same option is spelled three ways). */
export const SKIP_BAD_ROWS_HINT = 'to skip and count bad rows instead: skip_bad_rows: true on the workload of an experiment config, --skip-bad-rows for yarn traces stats, skipBadRows: true in code';

/**
 * A row of a trace file that cannot be used: names the file, the 1-based line and the problem.
 * `skippable`: a bad data row (not a bad header or an unreadable file), which the skip-bad-rows
 * option would skip; the message then says how to turn that on.
 */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
    readonly skippable = false,
  ) {
    super(`${file}:${line}: ${problem}${skippable ? ` (${SKIP_BAD_ROWS_HINT})` : ''}`);
  }
}

/** A length-only file (no timestamps) was opened as a timed trace. */
export class NoTimestampsError extends Error {
  override readonly name = 'NoTimestampsError';
}

/** A loader or generator option is out of range or inconsistent. */
export class TraceOptionsError extends Error {
  override readonly name = 'TraceOptionsError';
}

/** A trace name or path that resolves to no file. */
export class TraceNotFoundError extends Error {
  override readonly name = 'TraceNotFoundError';
}

/** A workload description (YAML or object) that does not validate; the message names the key path. */
export class WorkloadSpecError extends Error {
  override readonly name = 'WorkloadSpecError';
}

/** A download that failed (network, HTTP status, or a mirror without the file). */
export class TraceDownloadError extends Error {
  // Typed as string so that ChecksumMismatchError can narrow it.
  override readonly name: string = 'TraceDownloadError';
}

/** A downloaded file whose sha256 is not the published one; the file was deleted. */
export class ChecksumMismatchError extends TraceDownloadError {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
    readonly url: string,
  ) {
    super(`${file}: sha256 mismatch (expected ${expected}, got ${actual}) for ${url}; the file was deleted`);
  }
}
