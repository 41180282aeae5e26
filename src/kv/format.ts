import type { LayerRange } from '../parallel/mode.ts';
import type { RankHeads, RankProof, Verdict } from './verify.ts';

/**
 * Plain-text rendering of verdicts: the per-rank table, and one-line summaries for sweeps.
 *
 *   a: SP=2×TP=2
 *   b: TP=4 in naive order [0,1,2,3]
 *   rank  KV a  copy a  q a   KV b  copy b  q b   same  a: where                   b: where
 *      1  1     0/2     4-5   0     1/2     2-3   NO    head block j·s+i = …       position 1 of …
 */

/** "0-3" for a run of consecutive heads, "0,2,5" otherwise. */
function heads(xs: readonly number[]): string {
  const run = xs.every((x, k) => x === xs[0]! + k);
  return run && xs.length > 1 ? `${xs[0]}-${xs[xs.length - 1]}` : xs.join(',');
}

function copy(h: RankHeads): string {
  return h.replicas > 1 ? `${h.replica}/${h.replicas}` : '-';
}

function layerText(l: LayerRange): string {
  return `${l.start}-${l.end - 1}`;
}

/** Whether the ranks hold different layers (a layout that splits layers, e.g. pipeline stages). */
function splitsLayers(ranks: readonly RankProof[]): boolean {
  return new Set(ranks.flatMap((r) => [layerText(r.a.layers), layerText(r.b.layers)])).size > 1;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

/** The per-rank table (when there is one) and the verdict line. */
export function formatVerdict(v: Verdict): string {
  const lines = [`a: ${v.a}`, `b: ${v.b}`];
  if (v.verdict !== 'refused') {
    const pooled = v.ranks.some((r) => r.a.pool !== 0 || r.b.pool !== 0);
    const staged = splitsLayers(v.ranks);
    const header = [
      'rank', 'KV a', 'copy a', 'q a', 'KV b', 'copy b', 'q b', ...(pooled ? ['pool a', 'pool b'] : []), ...(staged ? ['layers a', 'layers b'] : []),
      'same', 'a: where', 'b: where',
    ];
    const rows = v.ranks.map((r) => {
      const same = r.a.kvHeads.join() === r.b.kvHeads.join() && r.a.pool === r.b.pool && layerText(r.a.layers) === layerText(r.b.layers);
      return [
        String(r.rank), heads(r.a.kvHeads), copy(r.a), heads(r.a.qHeads), heads(r.b.kvHeads), copy(r.b), heads(r.b.qHeads),
        ...(pooled ? [String(r.a.pool), String(r.b.pool)] : []), ...(staged ? [layerText(r.a.layers), layerText(r.b.layers)] : []),
        same ? 'yes' : 'NO', r.a.where, r.b.where,
      ];
    });
    lines.push(table([header, ...rows]));
  }
  const word = { invariant: 'invariant', moves: 'NOT invariant', refused: 'refused' }[v.verdict];
  lines.push(`${word}: ${v.reason}`);
  return lines.join('\n');
}

/** One short line: the reason, or for a counterexample the head and its owners in both. */
export function summarizeVerdict(v: Verdict): string {
  if (v.verdict !== 'moves') return v.reason;
  const c = v.counterexample;
  const layers = splitsLayers(v.ranks) ? ` (layers ${layerText(c.layers)})` : '';
  return `KV head ${c.kvHead}${layers} of ${c.sequences}: ranks [${c.ownersA.join(',')}] in a, [${c.ownersB.join(',')}] in b (rank ${c.rank} would read KV it never wrote)`;
}
