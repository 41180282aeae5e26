import { expMain } from '../../src/cli/exp.ts';

/** What a run of `yarn exp` printed and returned. */
export interface ExpRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Questions the run asked (interactive runs only). */
  readonly asked: readonly string[];
}

export interface ExpRunOptions {
  /** Whether stdin is a terminal (default false, like a test or a batch job). */
  readonly interactive?: boolean;
  /** The answer to every question (default: no). */
  readonly answer?: boolean;
  readonly command?: string;
  readonly signal?: AbortSignal;
}

/**
 * Runs the `yarn exp` program in this process (src/cli/exp.ts's expMain, the function the
 * command wraps), capturing its output: fast enough to try dozens of broken configs.
 */
export async function expInProcess(args: readonly string[], o: ExpRunOptions = {}): Promise<ExpRun> {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const code = await expMain(args, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    progress: { write: () => true, isTTY: false },
    interactive: o.interactive ?? false,
    ask: async (q) => {
      asked.push(q);
      return o.answer ?? false;
    },
    command: o.command ?? 'yarn exp',
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), asked };
}

/** A line of a stack trace ("    at fn (file.ts:12:5)"): user errors must never print one. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;
