import { mkdirSync, writeFileSync } from 'node:fs';
import path, { relative, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { cudaStatus } from '../ops/cuda-addon.ts';
import { type GemmPoint, type Measurements, baseProfileFor, calibratedProfile } from '../calibrate/measured-profile.ts';
import { GEMM_SHAPES, type KernelCase, gemmCases, prefillAttentionCase } from '../ops/cuda-cases.ts';
import { copyBandwidth, medianMs, runTorch } from '../ops/cuda-timing.ts';
import { fitReportMarkdown } from '../calibrate/report.ts';
import { runFit } from '../calibrate/run-fit.ts';
import { ScenarioError } from '../calibrate/scenarios.ts';
import { ConfigError } from '../exp/config/errors.ts';
import { exitOnError } from './errors.ts';

/** A bad measurements file is the user's to fix: its message, no stack, exit 2. */
function failFit(e: unknown): never {
  if (e instanceof ConfigError || e instanceof ScenarioError) {
    console.error(`error: ${e.message}`);
    process.exit(2);
  }
  return exitOnError(e);
}

/**
 * `yarn calibrate [measure]`: measures this GPU (HBM copy bandwidth, BF16 GEMM times of the
 * Llama-3.3-70B TP8 layers over M, causal prefill attention by context) and writes a hardware
 * profile the cost model loads in place of a built-in one (`hardware: <file>.json`), plus the
 * raw measurements beside it (<out>.measurements.json).
 */
function measure(argv: { device: number; kernels: string; out?: string | undefined }): void {
  const status = cudaStatus();
  if (!status.available) {
    console.error(`calibrate needs a CUDA GPU and found none: ${status.reason}`);
    process.exit(1);
  }
  const { addon } = status;
  const info = addon.deviceInfo(argv.device);
  const ctx = new addon.Context(argv.device);
  const { profile: base, note } = baseProfileFor(info.name);
  if (note) console.warn(note);
  console.log(`calibrating ${info.name} (${info.sms} SMs, ${(info.memoryBytes / 2 ** 30).toFixed(0)} GiB) against built-in '${base.name}'`);

  const MS = [1, 4, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
  const CONTEXTS = [512, 1024, 2048, 4096, 8192, 16384];
  const gemms = gemmCases(MS, info.l2Bytes).filter((c) => !c.name.startsWith('gemm lm_head'));
  const prefills = CONTEXTS.map(prefillAttentionCase);

  /** Seconds per call of each case, by PyTorch when asked and possible, else by our kernels. */
  function time(cases: readonly KernelCase[]): { seconds: Map<string, number>; kernels: 'torch' | 'ours' } {
    if (argv.kernels === 'torch') {
      const torch = runTorch(cases.map((c) => c.torch));
      if (torch.ok) return { seconds: new Map(Object.entries(torch.results).map(([k, ms]) => [k, ms / 1e3])), kernels: 'torch' };
      console.warn(`PyTorch is not usable (${torch.reason}): timing this project's kernels instead`);
    }
    const seconds = new Map<string, number>();
    for (const c of cases) {
      const prepared = c.prepare(ctx, info);
      seconds.set(c.name, medianMs(ctx, prepared.run) / 1e3);
      prepared.free();
    }
    return { seconds, kernels: 'ours' };
  }

  const copy = copyBandwidth(ctx);
  console.log(`device copy: ${(copy / 1e12).toFixed(2)} TB/s (read + write)`);
  const { seconds, kernels } = time([...gemms, ...prefills]);
  const gemm: GemmPoint[] = gemms.flatMap((c) => {
    const s = seconds.get(c.name);
    return s === undefined ? [] : [{ m: Number(c.torch.M), n: Number(c.torch.N), k: Number(c.torch.K), seconds: s }];
  });
  const attention = prefills.flatMap((c) => {
    const s = seconds.get(c.name);
    return s === undefined ? [] : [{ context: Number(c.torch.context), flopsPerSecond: c.flops / s }];
  });
  const measurements: Measurements = {
    device: info.name,
    date: new Date().toISOString().slice(0, 10),
    kernels,
    sms: info.sms,
    memoryBytes: info.memoryBytes,
    copyBytesPerSecond: copy,
    gemm,
    attention,
  };
  const profile = calibratedProfile(base, measurements);

  const out = argv.out ?? path.join('results', `profile-${base.name}-calibrated.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(profile, null, 2) + '\n');
  const raw = out.replace(/\.json$/, '') + '.measurements.json';
  writeFileSync(raw, JSON.stringify(measurements, null, 2) + '\n');

  console.log(`kernels timed: ${kernels}`);
  console.log(`hbm.efficiency ${profile.hbm.efficiency.toFixed(3)}   gemm.bf16.max_efficiency ${profile.gemm.bf16.max_efficiency.toFixed(3)}`);
  for (const [context, eff] of profile.attention.efficiency_by_context) console.log(`attention L=${context}: ${(eff * 100).toFixed(1)}% of peak`);
  for (const p of gemm.filter((x) => x.n === GEMM_SHAPES[2].N)) {
    console.log(`gemm gate_up M=${p.m}: ${((2 * p.m * p.n * p.k) / p.seconds / 1e12).toFixed(1)} TFLOP/s`);
  }
  console.log(`wrote ${out} and ${raw}`);
}

/**
 * `yarn calibrate fit <measurements.yaml>` (CPU only): fits the cost model's free constants to
 * the file's `use: fit` points, prints the report, and writes the calibrated profile and the
 * report (src/calibrate/run-fit.ts).
 */
async function fit(argv: { measurements: string; out: string; report?: string | undefined }): Promise<void> {
  const started = performance.now();
  const shown = relative(process.cwd(), resolve(argv.measurements)) || argv.measurements;
  const r = await runFit(argv.measurements, shown, (line) => console.error(line));
  const text = fitReportMarkdown(r);
  console.log(text);
  mkdirSync(path.dirname(argv.out), { recursive: true });
  writeFileSync(argv.out, `${JSON.stringify(r.profile, null, 2)}\n`);
  if (argv.report !== undefined) {
    mkdirSync(path.dirname(argv.report), { recursive: true });
    writeFileSync(argv.report, text);
  }
  console.error(`wrote ${argv.out}${argv.report === undefined ? '' : ` and ${argv.report}`} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

await yargs(hideBin(process.argv))
  .scriptName('yarn calibrate')
  .command(
    ['measure', '$0'],
    'measure this GPU and write a hardware profile (needs a CUDA GPU)',
    (y) =>
      y
        .option('device', { type: 'number', default: 0, describe: 'CUDA device to measure' })
        .option('kernels', { type: 'string', choices: ['torch', 'ours'], default: 'torch', describe: "whose GEMM and attention to time: PyTorch's (what vLLM runs; falls back to ours without torch) or this project's" })
        .option('out', { type: 'string', describe: 'profile file to write (default results/profile-<gpu>-calibrated.json)' })
        .epilog('Exit status: 0 written, 1 no usable GPU or a failed measurement.'),
    (a) => measure(a),
  )
  .command(
    'fit <measurements>',
    'fit the cost model\'s free constants to measured serving numbers (CPU only)',
    (y) =>
      y
        .positional('measurements', { type: 'string', demandOption: true, describe: 'a measurements YAML file, e.g. ../shared/calibration/measurements.yaml' })
        .option('out', { type: 'string', default: path.join('results', 'calibration', 'h200.json'), describe: 'calibrated profile to write (the built-in one is src/cost/profiles/h200.json)' })
        .option('report', { type: 'string', describe: 'also write the report (markdown) here, e.g. experiments/paper/calibration-fit.md' })
        .epilog('Exit status: 0 written, 1 an unexpected error, 2 a bad measurements file.'),
    (a) => fit(a).catch(failFit),
  )
  .strict()
  .help()
  .parseAsync();
