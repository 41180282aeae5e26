import type { GroupName } from '../parallel/groups.ts';

/** Where an iteration's (or a whole run's) time goes, in seconds. */
export interface Breakdown {
  readonly gemm: number;
  readonly attention: number;
  /** Memory-bound ops: norms, RoPE, residual adds, KV writes, Ulysses packing, embedding. */
  readonly memory: number;
  /** Collectives by process group, keyed by the group names the strategy's modes declare (one entry per group that ran any). */
  readonly collectives: Readonly<Record<GroupName, number>>;
  /** Engine (CPU) time between GPU steps. */
  readonly overhead: number;
  readonly total: number;
}

/**
 * A mutable running sum of breakdowns (cheap to add to per iteration). Collectives are kept per
 * group name in parallel arrays: a deployment has a handful of groups, so a linear scan is faster
 * than a Map and keeps the order groups first appeared in.
 */
export class BreakdownSum {
  gemm = 0;
  attention = 0;
  memory = 0;
  overhead = 0;
  private readonly groups: GroupName[] = [];
  private readonly times: number[] = [];

  /** Adds `seconds` of collectives on group `name`. */
  addCollective(name: GroupName, seconds: number): void {
    this.times[this.slot(name)]! += seconds;
  }

  /** Seconds of collectives on group `name` so far (0 when none ran). */
  collective(name: GroupName): number {
    const i = this.groups.indexOf(name);
    return i < 0 ? 0 : this.times[i]!;
  }

  add(b: BreakdownSum, scale = 1): void {
    this.gemm += scale * b.gemm;
    this.attention += scale * b.attention;
    this.memory += scale * b.memory;
    this.overhead += scale * b.overhead;
    for (let i = 0; i < b.groups.length; i++) this.times[this.slot(b.groups[i]!, i)]! += scale * b.times[i]!;
  }

  /** Summed in the order the report lists the parts (GEMM, attention, memory, collectives, overhead). */
  get total(): number {
    let t = this.gemm + this.attention + this.memory;
    for (const x of this.times) t += x;
    return t + this.overhead;
  }

  toJSON(): Breakdown {
    return {
      gemm: this.gemm,
      attention: this.attention,
      memory: this.memory,
      collectives: Object.fromEntries(this.groups.map((g, i) => [g, this.times[i]!])),
      overhead: this.overhead,
      total: this.total,
    };
  }

  /**
   * The slot of group `name` (added at the end if new), tried at `hint` first: sums priced from
   * one mode list their groups in the same order, so b's slot i is usually this one's.
   */
  private slot(name: GroupName, hint = -1): number {
    if (this.groups[hint] === name) return hint;
    let i = this.groups.indexOf(name);
    if (i < 0) {
      i = this.groups.push(name) - 1;
      this.times.push(0);
    }
    return i;
  }
}
