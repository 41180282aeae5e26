import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderSvg } from '../src/exp/report/render.ts';
import { launchChromium } from './helpers/chromium.ts';
import { figureProblems, systemColourProblems } from './helpers/report-checks.ts';
import { type FigureInfo, brokenLinks, readFigures, watchErrors } from './helpers/report-page.ts';
import { serveDir } from './helpers/static-server.ts';

// Opens the HTML report of a real `yarn exp` run in Debian's Chromium (headless, through
// playwright-core) and checks that every plot rendered and reads. Screenshots are kept in
// results/test-output/report-browser/ (git-ignored): index.png and figures/<plot>.png.

const OUT = join(process.cwd(), 'results', 'test-output', 'report-browser');
const RUN = join(OUT, 'run');
const TSX = fileURLToPath(import.meta.resolve('tsx/cli'));

interface Page {
  readonly figures: FigureInfo[];
  readonly errors: string[];
  readonly broken: string[];
}

/**
 * Serves `dir`, opens its index.html and reads it; `shoot` takes screenshots of the page. The
 * browser and the server are closed however this ends (a failed launch or page included): a
 * handle left open would keep the test process alive after a failure.
 */
async function openReport(dir: string, shoot?: (page: import('playwright-core').Page) => Promise<void>): Promise<Page> {
  const server = await serveDir(dir);
  try {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await page.goto(`${server.url}index.html`, { waitUntil: 'load' });
      const figures = await readFigures(page);
      const broken = await brokenLinks(page);
      await shoot?.(page);
      return { figures, errors, broken };
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}

test('the report of a yarn exp run renders in Chromium: every plot drawn, titled, one colour per system', async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'figures'), { recursive: true });
  // `yarn exp configs/smoke.yaml` (package.json: "exp": "node --import tsx src/cli/exp.ts").
  const exp = spawnSync(process.execPath, [TSX, 'src/cli/exp.ts', 'configs/smoke.yaml', '--out', RUN, '--jobs', '1'], { encoding: 'utf8' });
  assert.is(exp.status, 0, `yarn exp configs/smoke.yaml failed:\n${exp.stderr}`);
  const results = JSON.parse(readFileSync(join(RUN, 'results.json'), 'utf8')) as { points: { systems: Record<string, unknown> }[] };
  const systems = [...new Set(results.points.flatMap((p) => Object.keys(p.systems)))];

  const page = await openReport(RUN, async (p) => {
    await p.screenshot({ path: join(OUT, 'index.png'), fullPage: true });
    const figures = await p.locator('figure').all();
    for (const [k, f] of figures.entries()) {
      const name = ((await f.getAttribute('id')) ?? `figure-${k + 1}`).replace(/^plots\//, '').replace(/\.svg$/, '');
      await f.locator('svg').screenshot({ path: join(OUT, 'figures', `${name}.png`) });
    }
  });

  const plots = readdirSync(join(RUN, 'plots')).filter((f) => f.endsWith('.svg'));
  assert.is(page.figures.length, plots.length, `index.html embeds ${page.figures.length} figures, plots/ has ${plots.length} SVGs`);
  assert.equal(page.errors, [], 'the page logged errors');
  assert.equal(page.broken, [], 'index.html links to missing files');
  const problems = [...page.figures.flatMap(figureProblems), ...systemColourProblems(page.figures, systems)];
  assert.equal(problems, [], problems.join('\n'));
});

test('the checks catch an empty plot, untitled axes, clashing colours and page errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlab-report-'));
  const bars = (values: object[], range: string[], title: string | null) =>
    renderSvg({
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'system', type: 'nominal', title: 'system' },
        y: { field: 'v', type: 'quantitative', title },
        color: { field: 'system', type: 'nominal', title: 'system', scale: { domain: ['TP', 'SP'], range } },
      },
    } as never);
  const good = await bars([{ system: 'TP', v: 1 }, { system: 'SP', v: 2 }], ['#f58518', '#54a24b'], 'latency (ms)');
  const bad = await bars([], ['#4c78a8', '#54a24b'], null);
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><title>t</title></head><body>
<figure id="good.svg">${good}</figure><figure id="bad.svg">${bad}</figure>
<a href="missing.csv">missing</a><img src="missing.png" alt=""><script>console.error('deliberate')</script></body></html>`,
  );
  const page = await openReport(dir);
  const problems = [...page.figures.flatMap(figureProblems), ...systemColourProblems(page.figures, ['TP', 'SP'])];
  assert.equal(figureProblems(page.figures[0]!), []);
  assert.ok(problems.includes('bad.svg: no data marks (only axes, if anything)'), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('bad.svg: axis without a title (Y-axis')), problems.join('\n'));
  assert.ok(problems.includes('system TP is #f58518 in good.svg but #4c78a8 in bad.svg'), problems.join('\n'));
  assert.ok(page.errors.includes('console error: deliberate'), page.errors.join('\n'));
  assert.ok(page.errors.some((e) => /^HTTP 404: .*missing\.png$/.test(e)), page.errors.join('\n'));
  assert.equal(page.broken, ['missing.csv (HTTP 404)']);
});

test.run();
