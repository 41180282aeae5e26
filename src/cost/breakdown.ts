import type { GroupName } from '../parallel/groups.ts';

/** Where an iteration's (or a whole run's) time goes, in seconds. */
export interface Breakdown {
  readonly gemm: number;
  readonly attention: number;
  /** Memory-bound ops: norms, RoPE, residual adds, KV writes, Ulysses packing, embedding. */
  readonly memory: number;
  /** Collectives by process group ('tp', 'sp', 'full' TP, 'world'). */
  readonly collectives: Readonly<Record<GroupName, number>>;
  /** Engine (CPU) time between GPU steps. */
  readonly overhead: number;
  readonly total: number;
}


/** A mutable running sum of breakdowns (fixed fields: cheap to add to per iteration). */
export class BreakdownSum {
  gemm = 0;
  attention = 0;
  memory = 0;
  tp = 0;
  sp = 0;
  full = 0;
  world = 0;
  overhead = 0;

  add(b: BreakdownSum, scale = 1): void {
    this.gemm += scale * b.gemm;
    this.attention += scale * b.attention;
    this.memory += scale * b.memory;
    this.tp += scale * b.tp;
    this.sp += scale * b.sp;
    this.full += scale * b.full;
    this.world += scale * b.world;
    this.overhead += scale * b.overhead;
  }

  /** this = b, field by field. */
  assign(b: BreakdownSum): this {
    return this.mix(b, b, 0);
  }

  /** this = a·(1 − w) + b·w, field by field (interpolation between two grid points). */
  mix(a: BreakdownSum, b: BreakdownSum, w: number): this {
    this.gemm = a.gemm + w * (b.gemm - a.gemm);
    this.attention = a.attention + w * (b.attention - a.attention);
    this.memory = a.memory + w * (b.memory - a.memory);
    this.tp = a.tp + w * (b.tp - a.tp);
    this.sp = a.sp + w * (b.sp - a.sp);
    this.full = a.full + w * (b.full - a.full);
    this.world = a.world + w * (b.world - a.world);
    this.overhead = a.overhead + w * (b.overhead - a.overhead);
    return this;
  }

  get total(): number {
    return this.gemm + this.attention + this.memory + this.tp + this.sp + this.full + this.world + this.overhead;
  }

  toJSON(): Breakdown {
    return {
      gemm: this.gemm,
      attention: this.attention,
      memory: this.memory,
      collectives: { tp: this.tp, sp: this.sp, full: this.full, world: this.world },
      overhead: this.overhead,
      total: this.total,
    };
  }
}
