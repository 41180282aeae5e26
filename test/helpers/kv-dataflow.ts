/**
 * A brute-force model of where KV values go, written without the verifier's code: it pushes
 * every (sequence, position) of a batch through a mode's dataflow and records, per rank, the
 * KV values `seq:pos:head` it writes into its cache and the ones its attention reads.
 *
 *   TP over a group:  position p projects q heads [p·h/n, …) and its K/V shard, writes them
 *   SP (s, t):        TP rank j projects its heads for the tokens of its slice i; the all-to-all
 *                     sends head block j·s+k of every local token to SP peer (k, j), which
 *                     writes and attends over all tokens of that block
 *   DP (R, t):        replica ρ = ranks ρ·t…, TP inside; sequence σ lives on replica σ mod R
 *
 * A switch a → b keeps KV in place iff every read of b finds a value a wrote on that rank, and
 * the other way round (Shift switches both ways).
 */
export type FlowMode =
  | { readonly kind: 'tp'; readonly group: readonly number[] }
  | { readonly kind: 'sp'; readonly s: number; readonly t: number }
  | { readonly kind: 'dp'; readonly replicas: number; readonly t: number };

/** The dataflow cannot run at all (a shard of fractional heads, a head sent that was never projected). */
export class CannotRun extends Error {}

interface Flow {
  readonly writes: Set<string>[];
  readonly reads: Set<string>[];
}

const range = (start: number, n: number): number[] => Array.from({ length: n }, (_, k) => start + k);

/** Ranks of the full-TP group: SHIFT.md's order sorts rank i·t+j by (j, i); naive is 0..P-1. */
export function fullTpRanks(s: number, t: number, order: 'full-tp' | 'naive'): number[] {
  const ranks = range(0, s * t);
  if (order === 'naive') return ranks;
  return ranks.sort((x, y) => (x % t) - (y % t) || Math.floor(x / t) - Math.floor(y / t));
}

/** Heads of position p of an n-way column-parallel QKV projection (vLLM's rule), kernel-checked. */
function shard(h: number, g: number, n: number, p: number): { q: number[]; kv: number[] } {
  if (h % n !== 0) throw new CannotRun(`${h} query heads over ${n} shards`);
  const q = range((p * h) / n, h / n);
  let kv: number[];
  if (g % n === 0) kv = range((p * g) / n, g / n);
  else if (n % g === 0) kv = [Math.floor((p * g) / n)];
  else throw new CannotRun(`${g} KV heads over ${n} shards`);
  // The paged attention kernel maps local q head k to local KV head ⌊k·g_local / h_local⌋.
  q.forEach((head, k) => {
    if (kv[Math.floor((k * kv.length) / q.length)] !== Math.floor((head * g) / h)) throw new CannotRun(`q head ${head} would read the wrong KV head`);
  });
  return { q, kv };
}

function worldOf(m: FlowMode): number {
  return m.kind === 'tp' ? m.group.length : m.kind === 'sp' ? m.s * m.t : m.replicas * m.t;
}

/** Every token of every sequence, in batch order: [sequence, position]. */
function tokens(seqLens: readonly number[]): [number, number][] {
  return seqLens.flatMap((len, seq) => range(0, len).map((pos): [number, number] => [seq, pos]));
}

export function runDataflow(h: number, g: number, mode: FlowMode, seqLens: readonly number[]): Flow {
  const P = worldOf(mode);
  const writes = range(0, P).map(() => new Set<string>());
  const reads = range(0, P).map(() => new Set<string>());
  const all = tokens(seqLens);
  const kvOf = (q: number): number => Math.floor((q * g) / h);
  const attend = (rank: number, qs: readonly number[], toks: readonly [number, number][]): void => {
    for (const [seq, pos] of toks) for (const q of qs) reads[rank]!.add(`${seq}:${pos}:${kvOf(q)}`);
  };
  const write = (rank: number, kv: readonly number[], seq: number, pos: number): void => {
    for (const head of kv) writes[rank]!.add(`${seq}:${pos}:${head}`);
  };
  switch (mode.kind) {
    case 'tp':
      mode.group.forEach((rank, p) => {
        const { q, kv } = shard(h, g, P, p);
        for (const [seq, pos] of all) write(rank, kv, seq, pos);
        attend(rank, q, all);
      });
      break;
    case 'dp':
      for (let rank = 0; rank < P; rank++) {
        const replica = Math.floor(rank / mode.t);
        const { q, kv } = shard(h, g, mode.t, rank % mode.t);
        const mine = all.filter(([seq]) => seq % mode.replicas === replica);
        for (const [seq, pos] of mine) write(rank, kv, seq, pos);
        attend(rank, q, mine);
      }
      break;
    case 'sp': {
      const { s, t } = mode;
      const m = Math.ceil(all.length / s);
      for (let i = 0; i < s; i++) {
        for (let j = 0; j < t; j++) {
          const local = shard(h, g, t, j);
          for (let k = 0; k < s; k++) {
            const block = shard(h, g, P, j * s + k);
            if (!block.kv.every((x) => local.kv.includes(x)) || !block.q.every((x) => local.q.includes(x))) {
              throw new CannotRun(`rank (${i}, ${j}) would send heads of block ${j * s + k} it never projected`);
            }
            for (const [seq, pos] of all.slice(i * m, (i + 1) * m)) write(k * t + j, block.kv, seq, pos);
          }
        }
      }
      for (let k = 0; k < s; k++) for (let j = 0; j < t; j++) attend(k * t + j, shard(h, g, P, j * s + k).q, all);
      break;
    }
  }
  reads.forEach((r, rank) => {
    for (const key of r) if (!writes[rank]!.has(key)) throw new CannotRun(`rank ${rank} reads ${key} that its own mode never wrote`);
  });
  return { writes, reads };
}

export interface BruteVerdict {
  readonly verdict: 'invariant' | 'moves' | 'refused';
  /** Ranks with a read the other mode did not write there. */
  readonly badRanks: readonly number[];
}

/** Runs both modes over the same sequences and checks every read against the other's writes. */
export function bruteForce(h: number, g: number, a: FlowMode, b: FlowMode, seqLens: readonly number[]): BruteVerdict {
  if (worldOf(a) !== worldOf(b)) return { verdict: 'refused', badRanks: [] };
  let flows: [Flow, Flow];
  try {
    flows = [runDataflow(h, g, a, seqLens), runDataflow(h, g, b, seqLens)];
  } catch (e) {
    if (e instanceof CannotRun) return { verdict: 'refused', badRanks: [] };
    throw e;
  }
  const [fa, fb] = flows;
  const bad = range(0, worldOf(a)).filter((r) => [...fb.reads[r]!].some((k) => !fa.writes[r]!.has(k)) || [...fa.reads[r]!].some((k) => !fb.writes[r]!.has(k)));
  return { verdict: bad.length > 0 ? 'moves' : 'invariant', badRanks: bad };
}
