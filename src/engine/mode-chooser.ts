import type { ModeId, ModeRoles } from '../parallel/mode.ts';
import { type IterationSummary, iterationStateOf } from '../policy/state.ts';
import { HISTORY, PolicyError, type SwitchPolicy } from '../policy/types.ts';

/** What a policy returns (a mode id). */
type Decision = ReturnType<SwitchPolicy['decide']>;

/** Predicted seconds of the iteration being chosen for, in the mode at `modeIndex`. */
export type ModeOracle = (modeIndex: number) => number;

/**
 * Picks the mode of each iteration for one engine, the same way in the simulator and the
 * executor: it builds the IterationState the policy sees (scheduled tokens, queue, KV use,
 * recent history, and the cost oracle when a cost model is attached), asks the policy, checks
 * the answer against the strategy's modes and records it. With one mode, or no policy, it is
 * always mode 0 and the policy is never asked.
 */
export class ModeChooser {
  private history: Decision[] = [];
  private iteration = 0;

  constructor(
    /** The strategy's modes by index, as the cost model and the executor number them. */
    readonly modes: readonly ModeId[],
    private readonly policy: SwitchPolicy | null,
    /** Names the engine in errors, e.g. 'engine 0'. */
    private readonly where: string,
    /** The switching block's roles of `modes` (absent: the policy state's default). */
    private readonly roles?: ModeRoles,
  ) {}

  /** Always mode 0: one mode, or no policy (callers may skip building the summary and use 0). */
  get fixed(): boolean {
    return !this.policy || this.modes.length === 1;
  }

  /** The index into `modes` for the iteration `s` describes; `oracle` prices it per mode (none: predict throws). */
  choose(s: IterationSummary, oracle?: ModeOracle, onDecision?: (iteration: number, id: ModeId) => void): number {
    const { policy } = this;
    if (!policy || this.fixed) return 0;
    // Counts the iterations the policy decided (a fixed chooser never asks it).
    const iteration = this.iteration++;
    const predict = oracle ? (id: ModeId): number => oracle(this.indexOf(id, 'asked the cost oracle for', iteration)) : undefined;
    const id = policy.decide(iterationStateOf(s, iteration, this.history, predict, this.modes, this.roles));
    const index = this.indexOf(id, 'returned', iteration);
    this.history.push(id);
    if (this.history.length > 2 * HISTORY) this.history = this.history.slice(-HISTORY);
    onDecision?.(iteration, id);
    return index;
  }

  private indexOf(id: unknown, verb: string, iteration: number): number {
    const k = typeof id === 'string' ? this.modes.indexOf(id) : -1;
    if (k < 0) {
      const known = this.modes.map((m) => `'${m}'`).join(' or ');
      throw new PolicyError(`${this.where}: policy ${this.policy!.name} ${verb} ${JSON.stringify(id)} at iteration ${iteration}; expected ${known}`);
    }
    return k;
  }
}
