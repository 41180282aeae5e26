import type { ModelConfig } from '../../src/model/config.ts';
import type { ConstantRow } from './calibration.ts';
import { ROOFLINE_COMMIT, verdictChanges } from './changes.ts';
import type { ClaimRow } from './claims.ts';
import { HEADLINE_IDS } from './claims.ts';
import type { Disagreement } from './explain.ts';
import { int } from './format.ts';
import { mdTable } from './markdown.ts';
import { pointOf } from './results.ts';
import { contextTable, latencyPeakTable, latencyTable, queueTable, rateTable } from './sections.ts';
import type { Sensitivity } from './sensitivity.ts';
import { STUDY, type StudyResults } from './study.ts';
import { BY_FAR, CLOSE_TOLERANCE, RATIO_TOLERANCE, TIE_TOLERANCE, times } from './verdicts.ts';

/**
 * experiments/paper/README.md, assembled from the study's results and the generator's other
 * outputs. Pure: the same inputs give the same text.
 */
export interface Provenance {
  readonly command: string;
  /** ISO date of the run. */
  readonly date: string;
  readonly commit: string;
  /** Wall time of the whole `yarn paper` run, seconds. */
  readonly wallSeconds: number;
  readonly cores: number;
}

export interface ReadmeInput {
  readonly study: StudyResults;
  readonly claims: readonly ClaimRow[];
  readonly disagreements: readonly Disagreement[];
  readonly sensitivity: Sensitivity;
  readonly calibration: {
    readonly profileName: string;
    readonly profile: readonly ConstantRow[];
    readonly engine: readonly ConstantRow[];
    readonly captureSizes: string;
    readonly models: readonly ModelConfig[];
    /** The report of `yarn calibrate fit` (experiments/paper/calibration-fit.md) and the points it fitted. */
    readonly fit: { readonly report: string; readonly points: readonly string[]; readonly looMape: number; readonly trainMape: number } | null;
  };
  readonly plots: readonly { readonly file: string; readonly title: string }[];
  readonly provenance: Provenance;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;
const verdictCell = (v: ClaimRow['verdict']): string => (v === 'partly' ? '*partly*' : v === 'does not hold' ? '**does not hold**' : v);

function header(p: Provenance): string[] {
  return [
    '# Shift Parallelism paper, reproduced in the simulator',
    '',
    `> **Generated file: do not edit.** Written by \`${p.command}\` on ${p.date} at commit \`${p.commit}\`; the whole study took ${p.wallSeconds.toFixed(0)} s on ${p.cores} cores. ` +
      'Change the configs or the generator (`experiments/paper/*.ts`) and run the command again.',
    '',
    'Each experiment of the evaluation of *Shift Parallelism: Low-Latency, High-Throughput LLM Inference for Dynamic Workloads* ' +
      '(Hidayetoglu et al., arXiv 2509.16495, ASPLOS ’26; setup and claims as summarised in `shared/SHIFT.md`) is modelled by one config in this folder ' +
      'and run in the project’s serving simulator (vLLM-like engine, cost model in `src/cost`, hardware profile `h200`, constants listed under *Calibration*). ' +
      'Below, every published headline result sits beside what the simulator predicts; where the simulator disagrees, the report says so and shows which term of the cost model decides it.',
    '',
  ];
}

/** What was fitted and what is a prediction: the reader must know which cells are not a test. */
function fitScope(input: ReadmeInput): string[] {
  const f = input.calibration.fit;
  if (!f) return ['**No constant was fitted**: the profile holds public constants only.', ''];
  const p = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return [
    `**What was fitted.** The \`${input.calibration.profileName}\` profile is calibrated: \`yarn calibrate fit\` chose its software constants (kernel floor, FP8 GEMM efficiency, all-to-all start-up, large all-reduce bandwidth, engine and front-end times) on the ${f.points.length} measured cells of experiment 1 for Llama-3.3-70B ` +
      `(${f.points.map((x) => `\`${x}\``).join(', ')}), with training error ${p(f.trainMape)} and leave-one-out error ${p(f.looMape)} (*Calibration* below). ` +
      'Those Llama-3.3-70B cells of experiment 1 (and the two headline ratios built from them) are therefore fits, not tests. Everything else is a prediction from the same constants, with nothing per model, strategy or workload: ' +
      '**Qwen3-32B** (predicted from its architecture and its block-scaled FP8 scheme, whose GEMM curve comes from kernel benchmarks, not from the fit), the context and rate sweeps, the bursty workload and both traces.',
    '',
  ];
}

function changesSection(claims: readonly ClaimRow[]): string[] {
  const changes = verdictChanges(claims);
  const intro = `Verdicts that differ from the last study on the uncalibrated roofline (profile \`h200-roofline\`, public constants only; README at commit \`${ROOFLINE_COMMIT}\`), and why:`;
  if (changes.length === 0) return ['## What calibration changed', '', `${intro} none.`, ''];
  return [
    '## What calibration changed',
    '',
    intro,
    '',
    mdTable(['claim', 'roofline', 'calibrated', 'why'], changes.map((c) => [c.claim.claim, verdictCell(c.before), verdictCell(c.claim.verdict), c.reason ?? 'no reason written yet (experiments/paper/changes.ts)']), ['l', 'l', 'l', 'l']),
    '',
  ];
}

function howToRun(input: ReadmeInput): string[] {
  const rows = STUDY.map((e) => [String(e.number), `[\`${e.file}\`](${e.file})`, e.title, int(input.study[e.id].points.reduce((a, p) => a + Object.keys(p.systems).length, 0))]);
  return [
    '## How to run',
    '',
    `- \`${input.provenance.command}\` runs every config below with the experiment runner, then the sensitivity study, and rewrites this README and its plots. Run output goes to \`results/paper/<timestamp>/\` (one results directory per config with \`summary.md\`, \`results.json\`, \`requests.csv\`; \`sensitivity.json\`; the perturbed profiles).`,
    '- `yarn paper --from results/paper/<timestamp>` rewrites the README from a finished study without rerunning it.',
    '- Any config runs on its own: `yarn exp experiments/paper/azure-code.yaml`.',
    '',
    mdTable(['exp.', 'config', 'what it models', 'runs (point × system)'], rows, ['l', 'l', 'l', 'r']),
    '',
  ];
}

function headlineSection(claims: readonly ClaimRow[]): string[] {
  const rows = HEADLINE_IDS.map((id) => {
    const c = claims.find((x) => x.id === id)!;
    return [c.claim, c.published, c.simulated, verdictCell(c.verdict)];
  });
  return ['## The two headline ratios', '', mdTable(['ratio', 'paper', 'simulator', 'verdict'], rows, ['l', 'l', 'l', 'l']), ''];
}

function claimsSection(claims: readonly ClaimRow[]): string[] {
  const count = (v: ClaimRow['verdict']): number => claims.filter((c) => c.verdict === v).length;
  return [
    '## Every published claim',
    '',
    `${claims.length} claims from `+ '`shared/SHIFT.md` ("Published headline results"), ' + `${count('holds')} hold, ${count('by construction')} hold by construction, ${count('tie within 1%')} hold only as a tie within ${pct(TIE_TOLERANCE)}, ${count('partly')} hold partly, ${count('does not hold')} do not hold. ` +
      `A published ratio holds when the simulated one is within ±${pct(RATIO_TOLERANCE)} of it (partly: right direction, other magnitude); "about" and "close to" mean within ±${pct(CLOSE_TOLERANCE)}; ` +
      `"lowest"/"highest" allow ties within ${pct(TIE_TOLERANCE)}, and a claim that needs that rule says "tie within ${pct(TIE_TOLERANCE)}", not "holds"; "by far the worst" means at least ${BY_FAR}× the next worst. ` +
      '"By construction" marks a claim that cannot fail in the simulator: at one request Shift runs its prefill in SP mode and its decode steps in full-TP mode, so its TTFT is SP’s and its TPOT is TP’s whatever the cost model says. ' +
      'Latency claims at one request use mean TTFT and TPOT; trace claims are checked on the mean, the median and p99 (partly: not all three agree).',
    '',
    mdTable(['exp.', 'claim', 'paper', 'simulator', 'verdict'], claims.map((c) => [String(c.experiment), c.claim, c.published, c.simulated, verdictCell(c.verdict)]), ['l', 'l', 'l', 'l', 'l']),
    '',
  ];
}

function disagreementSection(ds: readonly Disagreement[]): string[] {
  if (ds.length === 0) return ['## Where the simulator disagrees', '', 'Nowhere: every claim holds.', ''];
  return ['## Where the simulator disagrees', '', ...ds.flatMap((d) => [`### ${d.title}`, '', `Claims: ${d.ids.map((id) => `\`${id}\``).join(', ')}.`, '', d.body, ''])];
}

function plotLink(input: ReadmeInput, file: string): string[] {
  const p = input.plots.find((x) => x.file === file);
  return p ? [`![${p.title}](${p.file})`, ''] : [];
}

function experiments(input: ReadmeInput): string[] {
  const s = input.study;
  return [
    '## Experiment 1: 4k in / 250 out, minimum latency and peak throughput',
    '',
    'One request at a time (arrivals 12 s apart; the runner checks no two overlapped) and 2,000 requests sent at once. Completion = TTFT + 250 × TPOT.',
    '',
    '**Llama-3.3-70B FP8** (per-channel FP8; its one-request TTFT and TPOT and its peak throughput are the fitting points of the calibration)', '', latencyPeakTable(s, 'latency-peak-llama'), '',
    '**Qwen3-32B FP8** (block-scaled FP8; a prediction: no Qwen3-32B point was fitted)', '', latencyPeakTable(s, 'latency-peak-qwen'), '',
    '## Experiment 2: context sweep, 2k to 128k in / 250 out',
    '',
    '"128k" is 130,822 input tokens, the longest prompt that leaves room for 250 output tokens within max_model_len 131,072 (Llama-3.3-70B’s position limit; Qwen3-32B with YaRN factor 4, as the paper serves it). ' +
      'TTFT and TPOT at one request (120 s apart), throughput with 2,000 requests at once. A DP replica is one GPU: when a request does not fit its KV cache the engine rejects it, as vLLM refuses such a length.',
    '',
    ...plotLink(input, 'context-sweep.svg'),
    'Lines that coincide hide one another: at one request Shift prefills in SP mode and decodes in full TP, so its TTFT is SP’s and its TPOT is TP’s.',
    '',
    '**Llama-3.3-70B FP8**', '', contextTable(s, 'context-llama'), '',
    '**Qwen3-32B FP8**', '', contextTable(s, 'context-qwen'), '',
    '## Experiment 3: arrival-rate sweep at 8k in / 250 out',
    '',
    'Poisson arrivals, 600 requests per rate (the paper does not give the count; past a system’s capacity its completion time grows with it). Completion = mean TTFT + 250 × mean TPOT.',
    '',
    ...plotLink(input, 'rate-sweep.svg'),
    rateTable(s), '',
    '## Experiment 4: bursty workload',
    '',
    'The paper’s burst sizes and rates were not published. Chosen here (`bursty.yaml`): a Poisson stream of 1 request/s with four bursts of 200 requests, each spread over 5 s, at 30, 90, 150 and 210 s; lengths drawn from the Azure code trace (code-assistant requests). ' +
      'A burst offers ~40 requests/s, above every system’s saturation throughput at these lengths, and drains well before the next one. The paper states no headline number for this experiment, so there is no claim to check.',
    '',
    latencyTable(pointOf(s, 'bursty', 'bursts')), '',
    '## Experiment 5: Azure code trace (minutes 2–17, 2,834 requests)',
    '',
    'Open-loop replay at the trace’s own times and lengths. Completion time per request = its end-to-end time.',
    '',
    ...plotLink(input, 'azure-code.svg'),
    latencyTable(pointOf(s, 'azure-code', 'azure-code')), '',
    '## Experiment 6: Mooncake conversation trace (first 15 minutes, 2,728 requests), Qwen3-32B, FP8 KV',
    '',
    'Prefix hashes dropped (no prefix reuse); the trace’s 3-second steps are replayed as batch arrivals. A system keeps up when its waiting queue stays bounded: the simulator samples the queue at every arrival and fits its growth over the second half of the window ' +
      '(bounded: the growth over that half is under 5% of the requests that arrived in it, plus one).',
    '',
    queueTable(s), '',
  ];
}

function calibration(input: ReadmeInput): string[] {
  const c = input.calibration;
  const sens = input.sensitivity;
  const f = (x: number): string => times(x);
  const sensRows = sens.rows.map((r) => [r.label, `\`${r.keys}\``, ...r.ratios.map((x) => f(x.ratios.peakThroughput)), ...r.ratios.map((x) => f(x.ratios.ttft))]);
  const factors = sens.rows[0]?.ratios.map((x) => `×${x.factor}`) ?? [];
  return [
    '## Calibration',
    '',
    ...(c.fit ? ['### The fit', '', c.fit.report.trimEnd(), ''] : []),
    '### Every constant',
    '',
    `Every constant of the \`${c.profileName}\` hardware profile the study runs on, read from \`src/cost/profiles/\` when this file was generated, with its source (\`experiments/paper/sources.ts\`, or the fit's provenance for fitted ones; [D] marks arithmetic on the cited numbers, see \`shared/CALIBRATION.md\`). ` +
      'The same constants serve every model, system and experiment.',
    '',
    mdTable(['constant', 'value', 'source'], c.profile.map((r) => [`\`${r.key}\``, r.value, r.source]), ['l', 'r', 'l']),
    '',
    `CUDA-graph capture sizes (\`src/cost/cuda-graph.ts\`, vLLM V1’s): ${c.captureSizes}.`,
    '',
    'Engine settings of every config (the artifact’s server flags: `--max-num-batched-tokens 131072`, prefix caching off, vLLM defaults otherwise; Shift’s threshold 512, the code default):',
    '',
    mdTable(['setting', 'value', 'meaning'], c.engine.map((r) => [`\`${r.key}\``, r.value, r.source]), ['l', 'r', 'l']),
    '',
    'Models (`src/model/catalog.ts`), FP8 weights, BF16 KV cache except Qwen3-32B on the Mooncake trace (FP8 KV):',
    '',
    mdTable(
      ['model', 'layers', 'hidden', 'Q heads', 'KV heads', 'head dim', 'MLP', 'vocab', 'q/k norm', 'tied embeddings', 'FP8 scheme', 'source'],
      c.models.map((m) => [
        m.name, String(m.layers), String(m.hidden), String(m.heads), String(m.kvHeads), String(m.headDim), String(m.mlp), String(m.vocab), m.qkNorm ? 'yes' : 'no', m.tiedEmbeddings ? 'yes' : 'no',
        m.quant.kind === 'fp8-block' ? `${m.quant.block}×${m.quant.block} blocks, per-token-group activations` : 'per channel, per-token dynamic activations', m.source,
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l', 'l', 'l', 'l'],
    ),
    '',
    '### Sensitivity of the headline ratios',
    '',
    'Each group of constants scaled by the factor shown, everything else unchanged; the four runs the two ratios are made of (TP and Shift on Llama-3.3-70B, 4k/250, at one request and at saturation) repeated with the perturbed profile (`experiments/paper/perturb.ts`). ' +
      `Unperturbed: peak throughput ${f(sens.baseline.peakThroughput)}, TTFT ${f(sens.baseline.ttft)}; paper: 1.51× and ~1.5×.`,
    '',
    mdTable(['constants', 'profile keys', ...factors.map((x) => `peak throughput Shift/TP, ${x}`), ...factors.map((x) => `TTFT TP/Shift, ${x}`)], sensRows, ['l', 'l']),
    '',
  ];
}

export function renderReadme(input: ReadmeInput): string {
  return [
    ...header(input.provenance),
    ...howToRun(input),
    ...fitScope(input),
    ...headlineSection(input.claims),
    ...claimsSection(input.claims),
    ...changesSection(input.claims),
    ...disagreementSection(input.disagreements),
    ...experiments(input),
    ...calibration(input),
  ].join('\n');
}
