import type { FigureInfo } from './report-page.ts';

/**
 * Whether a report's plots read: each figure holds one SVG that rendered with data marks,
 * titled axes and a legend, draws only colours its legends explain, and every 'system'
 * legend lists the run's systems with one colour per system, the same colour in every plot.
 */
export function figureProblems(f: FigureInfo): string[] {
  const problems: string[] = [];
  if (f.svgs !== 1) problems.push(`${f.id}: ${f.svgs} SVG elements, expected 1`);
  if (f.width <= 0 || f.height <= 0) problems.push(`${f.id}: the SVG has no size on the page`);
  if (f.marks === 0) problems.push(`${f.id}: no data marks (only axes, if anything)`);
  if (!f.axes.some((a) => a.startsWith('X-axis'))) problems.push(`${f.id}: no x axis`);
  if (!f.axes.some((a) => a.startsWith('Y-axis'))) problems.push(`${f.id}: no y axis`);
  for (const a of f.axes.filter((x) => !/^[XY]-axis titled '.+'/.test(x))) problems.push(`${f.id}: axis without a title (${a})`);
  if (f.legends.length === 0) problems.push(`${f.id}: no legend`);
  // A gradient legend explains a continuous range of colours, so only symbol legends are checked.
  const explained = new Set(f.legends.flatMap((l) => l.entries.map((e) => e.colour)));
  if (!f.legends.some((l) => l.gradient)) {
    for (const c of f.markColours.filter((x) => !explained.has(x))) problems.push(`${f.id}: marks drawn in ${c}, which no legend explains`);
  }
  return problems;
}

export function systemColourProblems(figures: readonly FigureInfo[], systems: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, { colour: string; where: string }>();
  for (const f of figures) {
    for (const l of f.legends.filter((x) => x.title === 'system')) {
      const labels = l.entries.map((e) => e.label);
      if (labels.join('\n') !== systems.join('\n')) problems.push(`${f.id}: system legend lists [${labels.join(', ')}], the run has [${systems.join(', ')}]`);
      const byColour = new Map<string, string>();
      for (const e of l.entries) {
        const other = byColour.get(e.colour);
        if (other !== undefined) problems.push(`${f.id}: systems ${other} and ${e.label} share the colour ${e.colour}`);
        byColour.set(e.colour, e.label);
        const first = seen.get(e.label);
        if (first === undefined) seen.set(e.label, { colour: e.colour, where: f.id });
        else if (first.colour !== e.colour) problems.push(`system ${e.label} is ${first.colour} in ${first.where} but ${e.colour} in ${f.id}`);
      }
    }
  }
  if (seen.size === 0) problems.push('no plot has a legend titled "system"');
  return problems;
}
