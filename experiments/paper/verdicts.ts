/**
 * How a simulated number is judged against a published claim. Five outcomes:
 *   holds            the claim, as stated, is what the simulator predicts, strictly
 *   by construction  true whatever the cost model says: the simulated number is another one by
 *                    the switch rule (at one request Shift prefills in SP mode and decodes in
 *                    full-TP mode, so its TTFT is SP's and its TPOT TP's), not a prediction
 *   tie within 1%    holds only through the tie rule: the claimed best is within TIE_TOLERANCE
 *                    of another system, not strictly ahead of it
 *   partly           right direction but the magnitude is off by more than the tolerance, or only
 *                    some of the statistics the claim covers agree
 *   does not hold    the simulator predicts the opposite
 */
export type Verdict = 'holds' | 'by construction' | 'tie within 1%' | 'partly' | 'does not hold';

/** The verdicts under which the claim, as stated, is true in the simulator (whatever the reason). */
const PASSING: readonly Verdict[] = ['holds', 'by construction', 'tie within 1%'];
export const passes = (v: Verdict): boolean => PASSING.includes(v);

/** Verdicts compared across studies by what they say of the claim: true, partly, false. */
export const verdictClass = (v: Verdict): 'true' | 'partly' | 'false' => (passes(v) ? 'true' : v === 'partly' ? 'partly' : 'false');

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

/** Every system in `who` is the best (lowest or highest) against every other, within `tolerance`. */
function isBest(values: Values, who: readonly string[], better: 'lower' | 'higher', tolerance: number): boolean {
  const rest = others(values, who);
  return who.every((w) => {
    const v = values[w]!;
    return better === 'lower' ? rest.every((x) => v < x * (1 + tolerance)) : rest.every((x) => v > x * (1 - tolerance));
  });
}

/** The systems outside `who` that some member of `who` beats only within the tie tolerance. */
function tiedWith(values: Values, who: readonly string[], better: 'lower' | 'higher'): string[] {
  const sign = better === 'lower' ? 1 : -1;
  return Object.entries(values)
    .filter(([k, x]) => !who.includes(k) && who.some((w) => sign * (values[w]! - x) >= 0))
    .map(([k]) => k);
}

/**
 * `who` are the best (lowest or highest). Holds when each is strictly ahead of every other
 * system; "tie within 1%" when that needs the tie rule (the simulated text names the ties).
 */
export function judgeBest(values: Values, who: readonly string[], better: 'lower' | 'higher', format: (v: number) => string): Judgement {
  const simulated = ordering(values, better, format);
  if (isBest(values, who, better, 0)) return { simulated, verdict: 'holds' };
  if (!isBest(values, who, better, TIE_TOLERANCE)) return { simulated, verdict: 'does not hold' };
  return { simulated: `${simulated} (${who.join(', ')} tied with ${tiedWith(values, who, better).join(', ')} within ${(TIE_TOLERANCE * 100).toFixed(0)}%)`, verdict: 'tie within 1%' };
}

/** Values this close (relative) are the same number computed twice, not a coincidence of the model. */
const SAME = 1e-9;

/**
 * A claim about `a` where `a` is `b` by construction (`why`). When the two are the same number,
 * the claim is whatever it is for `b` (`forB`, default true): "by construction" when that holds,
 * else `forB`'s verdict; when they differ (the construction no longer applies), the claim is
 * judged on its own by `otherwise`.
 */
export function judgeConstruction(a: number, b: number, label: string, why: string, otherwise: () => Judgement, forB?: Judgement): Judgement {
  if (Math.abs(a - b) > SAME * Math.max(Math.abs(a), Math.abs(b))) return otherwise();
  if (forB === undefined || passes(forB.verdict)) return { simulated: `${label}: ${why}`, verdict: 'by construction' };
  return { simulated: `${label}: ${why}; ${forB.simulated}`, verdict: forB.verdict };
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
 * A claim over several statistics (e.g. mean, p50, p99): holds when each holds (a tie or a
 * construction in any part carries over to the whole), partly when some do (the simulated text
 * says which), does not hold when none does.
 */
export function judgeAll(parts: readonly { readonly label: string; readonly judgement: Judgement }[]): Judgement {
  const verdicts = parts.map((p) => p.judgement.verdict);
  const held = verdicts.filter(passes);
  const simulated = parts.map((p) => `${p.label}: ${p.judgement.simulated}`).join('; ');
  if (held.length === 0) return { simulated, verdict: 'does not hold' };
  if (held.length < parts.length) return { simulated, verdict: 'partly' };
  const weakest = (['tie within 1%', 'by construction'] as const).find((v) => verdicts.includes(v));
  return { simulated, verdict: weakest ?? 'holds' };
}
