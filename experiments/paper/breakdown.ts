import type { PointResult } from '../../src/exp/index.ts';
import type { Breakdown } from '../../src/cost/index.ts';
import { ms, pct } from './format.ts';
import { mdTable } from './markdown.ts';
import { extrasOf, systemOf } from './results.ts';

/**
 * The simulator's busy-time breakdown as Markdown tables: where each system's engine time went
 * (GEMM, attention, memory-bound ops, collectives, engine overhead), as shares of the total.
 */
type Terms = Pick<Breakdown, 'gemm' | 'attention' | 'memory' | 'overhead' | 'total'> & { readonly collectives: Readonly<Record<string, number>> };

const GROUP_NAMES: Readonly<Record<string, string>> = { tp: 'TP group', sp: 'SP all-to-all', full: 'full-TP', world: 'world' };

function collectives(b: Terms): number {
  return Object.values(b.collectives).reduce((a, x) => a + x, 0);
}

function groups(b: Terms): string {
  const used = Object.entries(b.collectives).filter(([, v]) => v > 0);
  return used.length === 0 ? '' : ` (${used.map(([k]) => GROUP_NAMES[k] ?? k).join(', ')})`;
}

function shares(b: Terms): string[] {
  const s = (x: number): string => pct(x / b.total);
  return [s(b.gemm), s(b.attention), s(b.memory), `${s(collectives(b))}${groups(b)}`, s(b.overhead)];
}

const TERMS = ['GEMM', 'attention', 'memory-bound ops', 'collectives', 'engine overhead'];

/** Shares of each system's busy time at one point (busy time summed over a system's engines). */
export function busyTable(p: PointResult, systems: readonly string[]): string {
  const rows = systems.map((name) => {
    const x = extrasOf(systemOf(p, name), name);
    const engines = x.kv.replicas;
    return [name, `${x.breakdown.total.toFixed(1)} s${engines > 1 ? ` (${engines} engines)` : ''}`, ...shares(x.breakdown)];
  });
  return mdTable(['system', 'busy time (engine-seconds)', ...TERMS], rows);
}

/** One iteration priced term by term, in ms, for two or more labelled breakdowns. */
export function iterationTable(columns: readonly { readonly label: string; readonly b: Breakdown }[]): string {
  const row = (term: string, get: (b: Breakdown) => number): string[] => [term, ...columns.map((c) => `${ms(get(c.b) * 1e3)} (${pct(get(c.b) / c.b.total)})`)];
  return mdTable(['term', ...columns.map((c) => c.label)], [
    row('GEMM', (b) => b.gemm),
    row('attention', (b) => b.attention),
    row('memory-bound ops (norms, adds, RoPE, KV writes)', (b) => b.memory),
    row('collectives', (b) => collectives(b)),
    row('engine overhead', (b) => b.overhead),
    ['total', ...columns.map((c) => ms(c.b.total * 1e3))],
  ]);
}
