import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A Vega-Lite spec as SVG text, rendered headless (no canvas: the 'none' renderer, with
 * estimated text widths).
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Vega numbers gradient and clip ids with process-wide counters. A report resets them before
 * its first plot, so its SVGs are the same whatever the process rendered before (a merged
 * report equals one written in a fresh process, byte for byte), and still unique within the
 * report (index.html embeds every plot in one page).
 */
export function resetSvgIds(): void {
  vega.resetSVGDefIds();
}
