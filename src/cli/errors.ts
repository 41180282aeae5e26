import { ModelConfigError } from '../model/config.ts';
import { CheckpointError } from '../model/safetensors.ts';
import { ParallelConfigError } from '../parallel/mode.ts';
import { PolicyError } from '../policy/types.ts';
import { KvLayoutError } from '../kv/switch-check.ts';
import { ExecutorError } from '../exec/types.ts';

/** Errors a user caused and can fix: print the message alone. Anything else is a bug: print the stack. */
const USER_ERRORS = [ModelConfigError, CheckpointError, ParallelConfigError, PolicyError, KvLayoutError, ExecutorError];

/** Whether `e` is an error the user caused (a message is all they need) rather than a bug. */
export function isUserError(e: unknown): boolean {
  return USER_ERRORS.some((cls) => e instanceof cls) || (e instanceof Error && e.name === 'UsageError');
}

export function exitOnError(e: unknown): never {
  if (isUserError(e)) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
}

/** A bad command-line argument. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
