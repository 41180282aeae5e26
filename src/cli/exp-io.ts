/** What `yarn exp` reads and writes besides files, so tests can run it in-process (see expMain). */
export interface ExpIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Where progress goes (a redrawn bar when it is a terminal). */
  readonly progress: { write(s: string): unknown; readonly isTTY?: boolean };
  /** A person can answer a question (stdin is a terminal). */
  readonly interactive: boolean;
  /** Asks a yes/no question; true for yes. */
  readonly ask: (question: string) => Promise<boolean>;
  /** Aborted on Ctrl-C: the run stops, finished units are kept. */
  readonly signal?: AbortSignal;
  /** The command as the user typed it, for hints: 'yarn exp', 'npm run exp --', ... */
  readonly command: string;
}
