import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment } from '../src/exp/config/load.ts';
import { writeReport } from '../src/exp/report/index.ts';
import { runExperiment } from '../src/exp/runner.ts';

/**
 * Peak memory and time of a long replay through the whole experiment path (simulate, stream
 * request rows to disk, write the report with requests.csv and plots): one system (TP,
 * Llama-3.3-70B FP8 on 8× H200) under a synthetic Poisson workload it keeps up with, at
 * N, 2N and 4N requests, each in a fresh process so that its peak RSS is its own. Times
 * count from the config load to the report written (not the process start-up).
 *
 * Usage: yarn bench memory [--requests N] [--scales 1,2,4] [--exact] [--keep]
 *   default N = 500,000 (so 0.5 M, 1 M, 2 M); --exact sets report.percentiles: exact.
 * Goal: 2 M requests under 1 GB peak RSS, CPU time linear in requests.
 */
interface Measurement {
  readonly requests: number;
  readonly wall_s: number;
  readonly cpu_s: number;
  readonly peak_rss_mb: number;
  readonly csv_mb: number;
}

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};

function config(requests: number, exact: boolean): string {
  return `name: memory-bench
seed: 1
model: llama-3.3-70b
hardware: h200
systems:
  - { name: TP, strategy: tp, world: 8, dtype: fp8 }
workloads:
  - name: poisson
    synthetic:
      arrivals: { kind: poisson, rate: 20 }
      lengths: { kind: uniform, input: [128, 2048], output: [16, 256] }
      count: ${requests}
report: { percentiles: ${exact ? 'exact' : 'sketch'} }
`;
}

/** The child: one run, in this process; prints its measurement as JSON. */
async function child(file: string, out: string): Promise<void> {
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const e = await loadExperiment(file);
  const outcome = await runExperiment(e, { out, jobs: 1 });
  if (outcome.failed.length > 0) throw outcome.failed[0]!.error;
  await writeReport(outcome.dir);
  const cpu = process.cpuUsage(cpu0);
  const summary = outcome.dir.readUnit(outcome.manifest.units[0]!, outcome.manifest.config_hash)!.summary;
  const m: Measurement = {
    requests: summary.requests.arrived as number,
    wall_s: (performance.now() - started) / 1000,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    csv_mb: statSync(path.join(out, 'requests.csv')).size / 2 ** 20,
  };
  console.log(JSON.stringify(m));
}

function parent(): void {
  const base = Number(arg('--requests', '500000'));
  const scales = arg('--scales', '1,2,4').split(',').map(Number);
  const exact = process.argv.includes('--exact');
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-memory-'));
  const self = fileURLToPath(import.meta.url);
  console.log(`TP, Llama-3.3-70B FP8, 8× H200; Poisson 20 req/s, input U[128, 2048], output U[16, 256]; percentiles: ${exact ? 'exact' : 'sketch'}`);
  console.log('requests    wall s   CPU s   CPU µs/request   peak RSS MB   requests.csv MB');
  const rows: Measurement[] = [];
  try {
    for (const scale of scales) {
      const requests = Math.round(base * scale);
      const file = path.join(dir, `bench-${requests}.yaml`);
      writeFileSync(file, config(requests, exact));
      const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), self, '--child', file, path.join(dir, `out-${requests}`)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`run of ${requests} requests failed:\n${r.stderr}`);
      const m = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Measurement;
      rows.push(m);
      console.log(
        `${String(m.requests).padStart(9)}  ${m.wall_s.toFixed(1).padStart(7)}  ${m.cpu_s.toFixed(1).padStart(6)}  ${((1e6 * m.cpu_s) / m.requests).toFixed(1).padStart(15)}  ${m.peak_rss_mb.toFixed(0).padStart(12)}  ${m.csv_mb.toFixed(0).padStart(16)}`,
      );
      if (!process.argv.includes('--keep')) rmSync(path.join(dir, `out-${requests}`), { recursive: true, force: true });
    }
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
  const [first, last] = [rows[0]!, rows.at(-1)!];
  console.log(`CPU time per request, largest over smallest run: ${((last.cpu_s / last.requests) / (first.cpu_s / first.requests)).toFixed(2)} (1.00 = linear); peak RSS grows ${(last.peak_rss_mb - first.peak_rss_mb).toFixed(0)} MB from ${first.requests} to ${last.requests} requests`);
  if (process.argv.includes('--keep')) console.log(`runs kept in ${dir}`);
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
else parent();
