import { TraceOptionsError } from './errors.ts';
import type { ParseOptions } from './parse.ts';
import { TRACE_FORMATS } from './rows.ts';

/**
 * A time window of a trace, in seconds since the trace's first row: rows with
 * start <= t < start + duration are kept. The paper's Azure code window ("minutes 2–17") is
 * { start: 120, duration: 900 } and holds 2,834 requests spanning ~751 s after re-zeroing at
 * the first of them; its Mooncake window (timestamps < 900,000 ms) is { duration: 900 }: 2,728.
 */
export interface TraceWindow {
  /** Default 0 (the first row). */
  readonly start?: number;
  /** Default: to the end of the file. */
  readonly duration?: number;
}

/** How a trace file is turned into a request stream. Every option is optional. */
export interface TraceOptions extends ParseOptions {
  readonly window?: TraceWindow;
  /**
   * Where arrival 0 is: 'first' (default) at the first request kept, 'window' at the window
   * start (so idle time before the first request is kept).
   */
  readonly zeroAt?: 'first' | 'window';
  /**
   * Multiplies every inter-arrival time (after windowing, which is in trace time): 0.5 replays
   * the trace at twice its rate. Default 1.
   */
  readonly timeScale?: number;
  /** At most this many requests (the first ones after windowing). */
  readonly maxRequests?: number;
  /**
   * Spread requests that share one timestamp evenly over a step of this many seconds (k-th of
   * n at t + k·step/n; the step is shortened to the gap to the next distinct timestamp when that
   * is smaller). Mooncake's timestamps come in ~3 s steps (smallest nonzero gap 2.997 s), so 3
   * turns its batches back into a smooth stream. Default 0: keep batch arrivals. Windowing uses
   * the original timestamps, so a window keeps the same requests either way.
   */
  readonly spreadSteps?: number;
}

/** Throws a TraceOptionsError naming the first option out of range. */
export function validateTraceOptions(o: TraceOptions): void {
  const fail = (key: string, want: string, got: unknown): never => {
    throw new TraceOptionsError(`trace option ${key} must be ${want}, got ${JSON.stringify(got) ?? String(got)}`);
  };
  const start = o.window?.start;
  if (start !== undefined && !(Number.isFinite(start) && start >= 0)) fail('window.start', 'a number of seconds >= 0', start);
  const duration = o.window?.duration;
  if (duration !== undefined && !(duration > 0)) fail('window.duration', 'a number of seconds > 0', duration);
  if (o.timeScale !== undefined && !(Number.isFinite(o.timeScale) && o.timeScale > 0)) {
    fail('timeScale', 'a finite number > 0', o.timeScale);
  }
  if (o.maxRequests !== undefined && !(Number.isInteger(o.maxRequests) && o.maxRequests > 0)) {
    fail('maxRequests', 'a positive integer', o.maxRequests);
  }
  if (o.spreadSteps !== undefined && !(Number.isFinite(o.spreadSteps) && o.spreadSteps >= 0)) {
    fail('spreadSteps', 'a number of seconds >= 0 (0 keeps batch arrivals)', o.spreadSteps);
  }
  if (o.zeroAt !== undefined && o.zeroAt !== 'first' && o.zeroAt !== 'window') fail('zeroAt', "'first' or 'window'", o.zeroAt);
  if (o.format !== undefined && !TRACE_FORMATS.includes(o.format)) fail('format', `one of ${TRACE_FORMATS.join(', ')}`, o.format);
}
