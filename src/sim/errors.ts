// The simulator's errors, in a file of their own so that settings.ts and the router registry can
// throw them without importing types.ts (which imports both: an import cycle).

/** A bad deployment or engine setting; the message names the key. */
export class SimConfigError extends Error {
  override readonly name = 'SimConfigError';
}

/** Requests out of arrival order in a trace stream. */
export class TraceOrderError extends Error {
  override readonly name = 'TraceOrderError';
}
