import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MissingSourceError, constantRows, formatConstant, profileConstants } from '../experiments/paper/calibration.ts';
import { CHANGE_REASONS, ROOFLINE_VERDICTS } from '../experiments/paper/changes.ts';
import { claimsTable } from '../experiments/paper/claims.ts';
import { disagreements } from '../experiments/paper/explain.ts';
import type { CostFacts } from '../experiments/paper/facts.ts';
import { PERTURBATIONS, perturbProfile } from '../experiments/paper/perturb.ts';
import { renderReadme } from '../experiments/paper/readme.ts';
import type { Sensitivity } from '../experiments/paper/sensitivity.ts';
import { PROFILE_SOURCES } from '../experiments/paper/sources.ts';
import { getProfile } from '../src/cost/index.ts';
import { getModel } from '../src/model/catalog.ts';
import { LOW_LOAD, MOONCAKE, fixtureStudy } from './helpers/paper-study.ts';

const H200 = getProfile('h200');
const breakdown = (collectives: number) => ({ gemm: 0.05, attention: 0.005, memory: 0.01, collectives: { tp: 0, sp: 0, full: collectives, world: 0 }, overhead: 0.002, total: 0.067 + collectives });
const FACTS: CostFacts = {
  prefill: { tokens: 4096, tp: breakdown(0.05), sp: breakdown(0.007), allReduces: { count: 160, bytes: 64 * 2 ** 20 } },
  memory: {
    'llama-3.3-70b': { DP: { weightBytes: 70e9, activationBytes: 21e9, usableBytes: 127e9, kvTokens: 100_000, engines: 8 }, Shift: { weightBytes: 80e9, activationBytes: 9e9, usableBytes: 127e9, kvTokens: 900_000, engines: 1 } },
  },
  dpWithoutReserve: { kvTokens: 170_000, throughput: 48_000 },
  attentionMeasuredUpTo: 16384,
  mooncake: { requests: 10, meanInput: 12_000, maxInput: 100_000, tokenWeightedInput: 3000 },
};
const SENSITIVITY: Sensitivity = {
  baseline: { peakThroughput: 1.51, ttft: 1.5 },
  rows: PERTURBATIONS.map((q) => ({ id: q.id, label: q.label, keys: q.keys, ratios: [0.8, 1.2].map((factor) => ({ factor, ratios: { peakThroughput: 1.5, ttft: 1.6 } })) })),
};

const FIT = { report: 'Fitted by `yarn calibrate fit m.yaml`: the report.\n', points: ['DP ttft_ms 4096/250 one-at-a-time', 'TP ttft_ms 4096/250 one-at-a-time'], looMape: 0.096, trainMape: 0.042 };

function readme(study = fixtureStudy(), fit: typeof FIT | null = null): string {
  const claims = claimsTable(study);
  return renderReadme({
    study, claims, disagreements: disagreements({ study, claims, facts: FACTS, sensitivity: SENSITIVITY }), sensitivity: SENSITIVITY,
    calibration: { profileName: 'h200', profile: constantRows(H200), engine: [], captureSizes: '1, 2, 4', models: [getModel('llama-3.3-70b'), getModel('qwen3-32b')], fit },
    plots: [{ file: 'rate-sweep.svg', title: 'Rate sweep' }],
    provenance: { command: 'yarn paper', date: '2026-01-02', commit: 'abc1234', wallSeconds: 61.4, cores: 2 },
  });
}

test('README: generated-file notice with command, date and commit; one claims row per claim with its verdict', () => {
  const text = readme();
  assert.match(text, /Generated file: do not edit.\*\* Written by `yarn paper` on 2026-01-02 at commit `abc1234`; the whole study took 61 s on 2 cores/);
  for (const c of claimsTable(fixtureStudy())) assert.ok(text.includes(`| ${c.experiment} | ${c.claim} | ${c.published} | ${c.simulated} | ${c.verdict} |`), c.id);
  assert.match(text, /Nowhere: every claim holds\./);
  assert.match(text, /!\[Rate sweep\]\(rate-sweep\.svg\)/);
});

test('README: a claim that fails gets a disagreement section with its numbers', () => {
  const study = fixtureStudy({ lowLoad: { ...LOW_LOAD, TP: { ttft: 180, tpot: 6 } }, mooncake: { ...MOONCAKE, DP: { ttft: 4000, tpot: 36 } } });
  const text = readme(study);
  assert.match(text, /\| 1 \| TTFT at one request, Llama-70B, 4k\/250: TP over Shift \| [^|]+ \| 1\.80× \(\+15% vs the paper\) \| \*partly\* \|/);
  assert.match(text, /### TTFT at one request: the gap between TP and Shift/);
  // The per-request cost that would close the gap: (180 − 1.56·100)/0.56 = 42.9 ms.
  assert.match(text, /of 42\.9 ms–56\.9 ms would bring the ratio/);
  assert.match(text, /### Mooncake trace: which systems keep up in the model\n\nClaims: `mooncake-dp-falls-behind`\./);
});

test('README: a calibrated profile says what was fitted and what is a prediction, with the fit report', () => {
  const text = readme(fixtureStudy(), FIT);
  assert.match(text, /\*\*What was fitted\.\*\* The `h200` profile is calibrated/);
  assert.match(text, /on the 2 measured cells of experiment 1 for Llama-3\.3-70B \(`DP ttft_ms 4096\/250 one-at-a-time`, `TP ttft_ms 4096\/250 one-at-a-time`\), with training error 4\.2% and leave-one-out error 9\.6%/);
  assert.match(text, /\*\*Qwen3-32B\*\* \(predicted from its architecture and its block-scaled FP8 scheme/);
  assert.match(text, /## Calibration\n\n### The fit\n\nFitted by `yarn calibrate fit m\.yaml`: the report\./);
  assert.match(text, /\| qwen3-32b \|[^\n]+\| yes \| no \| 128×128 blocks, per-token-group activations \|/);
  assert.match(readme(), /\*\*No constant was fitted\*\*/);
});

test('README: claims whose verdict moved since the roofline study are listed with the reason', () => {
  // The fixture satisfies every claim; the roofline study had the TTFT ratio only partly.
  const text = readme();
  assert.match(text, /## What calibration changed\n\nVerdicts that differ from the last study on the uncalibrated roofline \(profile `h200-roofline`[^\n]+commit `22be5f3`\), and why:/);
  assert.match(text, /\| TTFT at one request, Llama-70B, 4k\/250: TP over Shift \| \*partly\* \| holds \| The Llama TTFT cells are fitting points/);
  for (const c of claimsTable(fixtureStudy())) assert.ok(ROOFLINE_VERDICTS[c.id] !== undefined, `no roofline verdict for ${c.id}`);
  for (const id of Object.keys(CHANGE_REASONS)) assert.ok(ROOFLINE_VERDICTS[id] !== undefined, `a reason for an unknown claim ${id}`);
});

test('calibration: every profile constant has a source and every source names a constant', () => {
  const keys = profileConstants(H200).map(([k]) => k);
  assert.equal(Object.keys(PROFILE_SOURCES).filter((k) => !keys.includes(k)), []);
  assert.is(constantRows(H200).length, keys.length);
  const extra = { ...H200, collectives: [...H200.collectives, { algorithm: 'new_algo', kinds: ['all_reduce' as const], alpha_s: 1e-6, bus_bytes_per_s: 1e11 }] };
  assert.throws(() => constantRows(extra), (e: unknown) => e instanceof MissingSourceError && /collectives\[new_algo\]\.alpha_s, collectives\[new_algo\]\.bus_bytes_per_s/.test((e as Error).message));
  assert.is(formatConstant('collectives[nccl_nvls].alpha_s', 73.4e-6), '73.4 µs');
  assert.is(formatConstant('hbm.bytes_per_s', 4.8e12), '4.80 TB/s');
});

test('sensitivity: each perturbation scales exactly the profile keys it names, and nothing else', () => {
  const before = new Map(profileConstants(H200));
  for (const q of PERTURBATIONS) {
    const after = profileConstants(perturbProfile(H200, q, 1.2));
    const changed = after.filter(([k, v]) => v !== before.get(k)).map(([k]) => k);
    const named = q.keys.split(', ').flatMap((k) => (k.includes('[*]') ? [...before.keys()].filter((x) => new RegExp(`^${k.replace('[*]', '\\[[a-z0-9_]+\\]').replace(/\./g, '\\.')}$`).test(x)) : [k]));
    assert.equal(changed.sort(), named.sort(), q.id);
    for (const k of changed) assert.ok(Math.abs(after.find(([x]) => x === k)![1] / before.get(k)! - 1.2) < 1e-12, k);
  }
});

test.run();
