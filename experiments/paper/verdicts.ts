/**
 * How a simulated number is judged against a published claim. Three outcomes:
 *   holds          the claim, as stated, is what the simulator predicts
 *   partly         right direction but the magnitude is off by more than the tolerance, or only
 *                  some of the statistics the claim covers agree
 *   does not hold  the simulator predicts the opposite
 */
export type Verdict = 'holds' | 'partly' | 'does not hold';

export interface Judgement {
  readonly simulated: string;
  readonly verdict: Verdict;
}

/** A published ratio matches when the simulated one is within ±10% of the published range. */
export const RATIO_TOLERANCE = 0.1;
/** "About", "close to": within ±10%. */
export const CLOSE_TOLERANCE = 0.1;
/** Values within 1% count as a tie ("lowest" allows ties). */
export const TIE_TOLERANCE = 0.01;
/** "By far the worst": at least 1.5× the next worst. */
export const BY_FAR = 1.5;

export const times = (r: number): string => `${r.toFixed(2)}×`;

/**
 * A ratio claim: `ratio` > 1 means the claimed winner wins. Holds within RATIO_TOLERANCE of the
 * published [lo, hi]; partly when it wins by a different margin.
 */
export function judgeRatio(ratio: number, lo: number, hi = lo): Judgement {
  if (ratio <= 1) return { simulated: times(ratio), verdict: 'does not hold' };
  const inRange = ratio >= lo * (1 - RATIO_TOLERANCE) && ratio <= hi * (1 + RATIO_TOLERANCE);
  if (inRange) return { simulated: times(ratio), verdict: 'holds' };
  const off = ratio > hi ? ratio / hi - 1 : ratio / lo - 1;
  return { simulated: `${times(ratio)} (${off > 0 ? '+' : ''}${(off * 100).toFixed(0)}% vs the paper)`, verdict: 'partly' };
}

type Values = Readonly<Record<string, number>>;

/** "A 12 < B 30 < C 45": systems in order, best first. */
export function ordering(values: Values, better: 'lower' | 'higher', format: (v: number) => string): string {
  const sign = better === 'lower' ? 1 : -1;
  const sorted = Object.entries(values).sort((a, b) => sign * (a[1] - b[1]));
  return sorted.map(([k, v]) => `${k} ${format(v)}`).join(better === 'lower' ? ' < ' : ' > ');
}

function others(values: Values, who: readonly string[]): number[] {
  return Object.entries(values).filter(([k]) => !who.includes(k)).map(([, v]) => v);
}

/** Every system in `who` is the best (lowest or highest), ties within TIE_TOLERANCE allowed. */
function isBest(values: Values, who: readonly string[], better: 'lower' | 'higher'): boolean {
  const rest = others(values, who);
  return who.every((w) => {
    const v = values[w]!;
    return better === 'lower' ? rest.every((x) => v <= x * (1 + TIE_TOLERANCE)) : rest.every((x) => v >= x * (1 - TIE_TOLERANCE));
  });
}

export function judgeBest(values: Values, who: readonly string[], better: 'lower' | 'higher', format: (v: number) => string): Judgement {
  return { simulated: ordering(values, better, format), verdict: isBest(values, who, better) ? 'holds' : 'does not hold' };
}

/** `who` is the worst (highest) by a factor of at least BY_FAR over the next worst. */
export function judgeWorstByFar(values: Values, who: string, format: (v: number) => string): Judgement {
  const v = values[who]!;
  const next = Math.max(...others(values, [who]));
  const factor = v / next;
  const simulated = `${ordering(values, 'lower', format)}; ${who} = ${times(factor)} the next worst`;
  const verdict = factor >= BY_FAR ? 'holds' : factor > 1 ? 'partly' : 'does not hold';
  return { simulated, verdict };
}

/** `a` is within CLOSE_TOLERANCE of `b`. */
export function judgeClose(a: number, b: number, label: string): Judgement {
  const r = a / b;
  return { simulated: `${label} ${times(r)}`, verdict: Math.abs(r - 1) <= CLOSE_TOLERANCE ? 'holds' : 'does not hold' };
}

/**
 * A claim over several statistics (e.g. mean, p50, p99): holds when each holds, partly when
 * some do (the simulated text says which), does not hold when none does.
 */
export function judgeAll(parts: readonly { readonly label: string; readonly judgement: Judgement }[]): Judgement {
  const held = parts.filter((p) => p.judgement.verdict === 'holds');
  const simulated = parts.map((p) => `${p.label}: ${p.judgement.simulated}`).join('; ');
  const verdict = held.length === parts.length ? 'holds' : held.length === 0 ? 'does not hold' : 'partly';
  return { simulated, verdict };
}
