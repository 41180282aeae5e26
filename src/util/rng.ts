import seedrandom from 'seedrandom';

/** A seeded source of uniform and normal numbers. Same seed in, same numbers out. */
export class Rng {
  private readonly next: () => number;
  private spare: number | null = null;

  constructor(seed: string | number) {
    this.next = seedrandom.alea(String(seed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    const a = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** Picks one element uniformly. */
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(0, xs.length)];
    if (x === undefined) throw new RangeError('pick from an empty list');
    return x;
  }
}
