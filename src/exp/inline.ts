import type { JobEvents } from './pool.ts';
import type { UnitOutput, UnitProgress } from './run-point.ts';
import { runAnyUnit } from './search/candidate.ts';
import type { UnitInput } from './unit.ts';

/**
 * Runs units one at a time in this thread: `--jobs 1`, where worker threads would only add
 * their start-up (each loads the whole stack) and hide stack traces from a debugger. Closing
 * it lets the running unit finish and rejects the queued ones.
 */
export class InlineRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  run(input: UnitInput, events: JobEvents<UnitProgress> = {}): Promise<UnitOutput> {
    const job = this.chain.then(() => {
      if (this.closed) throw new Error('the run was stopped');
      events.onStart?.();
      return runAnyUnit(input, events.onProgress);
    });
    this.chain = job.catch(() => undefined);
    return job;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
