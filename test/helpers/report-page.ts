import type { Page } from 'playwright-core';

/**
 * What a report page shows, read from the DOM of the loaded page. Vega's SVG marks its parts
 * with classes: data marks sit in `g.role-mark` (bars, lines and symbols as `path`, rules as
 * `line`), axes in `g.role-axis` (aria-label "X-axis titled '...' for a ... scale"), legends
 * in `g.role-legend` with `role-legend-symbol` / `role-legend-label` pairs in order. Grid
 * lines are axes too, without a label: only labelled axes count.
 */
export interface LegendInfo {
  readonly title: string;
  /** A continuous colour legend (a gradient bar) rather than one symbol per value. */
  readonly gradient: boolean;
  readonly entries: readonly { readonly label: string; readonly colour: string }[];
}

export interface FigureInfo {
  /** The figure's id (its plot file) or its position. */
  readonly id: string;
  readonly svgs: number;
  readonly width: number;
  readonly height: number;
  /** Data marks with visible geometry. */
  readonly marks: number;
  /** Fill and stroke colours of the data marks. */
  readonly markColours: readonly string[];
  /** aria-labels of the axes. */
  readonly axes: readonly string[];
  readonly legends: readonly LegendInfo[];
}

// The little of the DOM used below (the project compiles without the DOM library).
interface El {
  readonly id: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El> & { readonly length: number };
  getBoundingClientRect(): { width: number; height: number };
  getBBox(): { width: number; height: number };
}

export async function readFigures(page: Page): Promise<FigureInfo[]> {
  return page.evaluate(() => {
    const document = (globalThis as unknown as { document: El }).document;
    const paint = (el: El, attr: 'fill' | 'stroke'): string | null => {
      const v = (el.getAttribute(attr) ?? '').trim().toLowerCase();
      return v === '' || v === 'none' || v === 'transparent' ? null : v;
    };
    return [...document.querySelectorAll('figure')].map((fig, k) => {
      const svg = fig.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const marks = [...fig.querySelectorAll('g.role-mark > path, g.role-mark > line')].filter((el) => {
        const b = el.getBBox();
        return b.width > 0 || b.height > 0;
      });
      const legends = [...fig.querySelectorAll('g.role-legend')].map((g) => {
        const labels = [...g.querySelectorAll('.role-legend-label text')].map((t) => t.textContent ?? '');
        const symbols = [...g.querySelectorAll('.role-legend-symbol path')];
        return {
          title: g.querySelector('.role-legend-title text')?.textContent ?? '',
          gradient: g.querySelector('.role-legend-gradient') !== null,
          entries: labels.map((label, i) => ({ label, colour: (symbols[i] && (paint(symbols[i], 'fill') ?? paint(symbols[i], 'stroke'))) ?? '' })),
        };
      });
      return {
        id: fig.id || `figure ${k + 1}`,
        svgs: fig.querySelectorAll('svg').length,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        marks: marks.length,
        markColours: [...new Set(marks.flatMap((el) => [paint(el, 'fill'), paint(el, 'stroke')]).filter((c): c is string => c !== null))],
        axes: [...fig.querySelectorAll('g.role-axis[aria-label]')].map((g) => g.getAttribute('aria-label') ?? ''),
        legends,
      };
    });
  });
}

/** Console errors, uncaught page errors, failed requests and HTTP errors, as they happen. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    // Chromium asks every http page for /favicon.ico by itself; that is not the page's request.
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? 'unknown'})`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return errors;
}

/** Links of the page (href as written) whose target does not answer 200. */
export async function brokenLinks(page: Page): Promise<string[]> {
  const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  const broken: string[] = [];
  for (const href of [...new Set(hrefs)]) {
    const r = await page.request.get(new URL(href, page.url()).href);
    if (r.status() !== 200) broken.push(`${href} (HTTP ${r.status()})`);
  }
  return broken;
}
