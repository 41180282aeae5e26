/**
 * One colour per system, the same in every plot of a report and across reports: the paper's
 * four systems have fixed colours; other names take the next free colour of a categorical
 * palette in the order the config lists them.
 */
const FIXED_COLOURS: Readonly<Record<string, string>> = {
  DP: '#4c78a8', // blue
  TP: '#f58518', // orange
  SP: '#54a24b', // green
  Shift: '#e45756', // red
};

const OTHERS = ['#b279a2', '#72b7b2', '#9d755d', '#eeca3b', '#ff9da6', '#bab0ac', '#17becf', '#8c564b', '#bcbd22', '#7f7f7f', '#1f77b4', '#aec7e8', '#98df8a', '#c5b0d5', '#c49c94', '#f7b6d2'];

/** Colours of the named systems, in order. */
export function systemColours(names: readonly string[]): { domain: string[]; range: string[] } {
  let next = 0;
  const range = names.map((n) => FIXED_COLOURS[n] ?? OTHERS[next++ % OTHERS.length]!);
  return { domain: [...names], range };
}

/** Colours of Shift's two modes in timeline plots. */
export const MODE_COLOURS = { tp: '#f58518', sp: '#54a24b' } as const;
