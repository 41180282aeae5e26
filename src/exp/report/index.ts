import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic.ts';
import type { RunDir } from '../store.ts';
import { collectRun } from './collect.ts';
import { writeRequestsCsv } from './csv.ts';
import { indexHtml } from './html.ts';
import { reportPlots } from './plots.ts';
import { renderSvg, resetSvgIds } from './render.ts';
import { buildResults } from './results-json.ts';
import { summaryMarkdown, terminalSummary } from './summary.ts';

/** The files a finished run's report consists of (besides config.yaml, run.json, run.log, units/). */
export interface ReportFiles {
  readonly files: readonly string[];
  /** The summary printed in the terminal. */
  readonly terminal: string;
}

/**
 * Writes results.json, requests.csv, summary.md, plots/*.svg and index.html from a run's unit
 * files. Needs every unit of the directory finished; holds the directory's lock meanwhile.
 */
export async function writeReport(dir: RunDir): Promise<ReportFiles> {
  const release = dir.lock();
  try {
    return await write(dir);
  } finally {
    release();
  }
}

async function write(dir: RunDir): Promise<ReportFiles> {
  const data = collectRun(dir);
  const path = (f: string): string => join(dir.dir, f);
  writeFileAtomic(path('results.json'), `${JSON.stringify(buildResults(data), null, 2)}\n`);
  writeRequestsCsv(dir, data, path('requests.csv'));
  const specs = data.manifest.report.plots ? reportPlots(data) : [];
  const plots = [];
  if (specs.length > 0) mkdirSync(path('plots'), { recursive: true });
  resetSvgIds();
  for (const s of specs) {
    const svg = await renderSvg(s.spec);
    writeFileAtomic(path(join('plots', s.file)), svg);
    plots.push({ file: `plots/${s.file}`, title: s.title, svg });
  }
  writeFileAtomic(path('summary.md'), summaryMarkdown(data, plots));
  const terminal = terminalSummary(data, dir.dir);
  const files = [
    { file: 'summary.md', title: 'tables of every metric, ratios, checks' },
    { file: 'results.json', title: 'every metric (results contract)' },
    { file: 'requests.csv', title: 'one row per request' },
    { file: 'config.yaml', title: 'the resolved config' },
    { file: 'run.json', title: 'the run manifest (plan, shard, config hash)' },
    ...plots.map((p) => ({ file: p.file, title: p.title })),
  ];
  if (data.manifest.report.plots) writeFileAtomic(path('index.html'), indexHtml({ title: data.manifest.name, description: data.manifest.description, summary: terminalSummary(data), files, plots }));
  return { files: [...files.map((f) => f.file), ...(data.manifest.report.plots ? ['index.html'] : [])], terminal };
}
