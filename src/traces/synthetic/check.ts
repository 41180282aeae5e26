import { TraceOptionsError } from '../errors.ts';

/** Throws unless `value` is a finite number > 0; `key` names the parameter in the message. */
export function requirePositive(key: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new TraceOptionsError(`${key} must be a finite number > 0, got ${value}`);
  }
}

/** Throws unless `value` is an integer >= `min`. */
export function requireInteger(key: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new TraceOptionsError(`${key} must be an integer >= ${min}, got ${value}`);
  }
}
