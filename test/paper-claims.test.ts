import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CLAIMS, type ClaimRow, claimsTable, dpOvertakesTp, rateSweep } from '../experiments/paper/claims.ts';
import { MissingResultError } from '../experiments/paper/results.ts';
import { runStudyExperiment } from '../experiments/paper/run.ts';
import { type ExperimentId, STUDY, type StudyResults } from '../experiments/paper/study.ts';
import { judgeRatio } from '../experiments/paper/verdicts.ts';
import { AZURE, LOW_LOAD, MOONCAKE, PEAK, RATES, fixtureStudy } from './helpers/paper-study.ts';
import { testNeedingTraces, tracesOf } from './helpers/paper-traces.ts';

const row = (rows: readonly ClaimRow[], id: string): ClaimRow => {
  const r = rows.find((x) => x.id === id);
  if (!r) throw new Error(`no claim ${id}`);
  return r;
};

test('every claim of SHIFT.md holds on a study built to satisfy them, with unique ids', () => {
  const rows = claimsTable(fixtureStudy());
  assert.is(rows.length, CLAIMS.length);
  assert.is(new Set(rows.map((r) => r.id)).size, rows.length);
  // The fixture gives Shift SP's TTFT at one request, as the switch rule does: that claim says
  // "by construction"; every other one holds strictly.
  const notHolding = rows.filter((r) => r.verdict !== 'holds').map((r) => `${r.id}: ${r.verdict}`);
  assert.equal(notHolding, ['shift-lowest-ttft-llama: by construction', 'shift-lowest-ttft-qwen: by construction']);
});

test('by construction: Shift equal to SP (TTFT) or TP (TPOT) at one request says so; unequal, it is judged', () => {
  const equal = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 100, tpot: 6 } } }));
  assert.is(row(equal, 'shift-tpot-close-to-tp-llama').verdict, 'by construction');
  assert.match(row(equal, 'shift-tpot-close-to-tp-llama').simulated, /^Shift 6\.00 ms = TP 6\.00 ms: one-token decode steps are below the 512-token threshold/);
  // The same TPOT makes "TP has the lowest TPOT" a tie, and the row says with whom.
  assert.is(row(equal, 'tp-lowest-tpot-llama').verdict, 'tie within 1%');
  assert.match(row(equal, 'tp-lowest-tpot-llama').simulated, /\(TP tied with Shift within 1%\)$/);
  // Shift's TTFT no longer SP's: judged as a prediction (lowest, a tie, or not lowest).
  const lower = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 90, tpot: 6.2 } } }));
  assert.is(row(lower, 'shift-lowest-ttft-llama').verdict, 'holds');
  assert.is(row(lower, 'shift-tpot-close-to-tp-llama').verdict, 'holds');
  const near = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 100.5, tpot: 6.2 } } }));
  assert.is(row(near, 'shift-lowest-ttft-llama').verdict, 'tie within 1%');
  const slower = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 120, tpot: 7 } } }));
  assert.is(row(slower, 'shift-lowest-ttft-llama').verdict, 'does not hold');
  assert.is(row(slower, 'shift-tpot-close-to-tp-llama').verdict, 'does not hold');
  // SP is judged against DP and TP only (Shift's TTFT is SP's by construction).
  assert.is(row(lower, 'sp-lowest-ttft-llama').verdict, 'holds');
  // Shift equal to SP is only as good as SP: with both above TP's TTFT, the claim does not hold.
  const both = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, SP: { ttft: 160, tpot: 22 }, Shift: { ttft: 160, tpot: 6.2 } } }));
  assert.is(row(both, 'sp-lowest-ttft-llama').verdict, 'does not hold');
  assert.is(row(both, 'shift-lowest-ttft-llama').verdict, 'does not hold');
  assert.match(row(both, 'shift-lowest-ttft-llama').simulated, /^Shift 160 ms = SP 160 ms: the 4096-token prefill .*; TP 150 ms < SP 160 ms < DP 400 ms$/);
});

test('headline ratios: Shift/TP peak throughput and TP/Shift TTFT at one request, from the right points', () => {
  const rows = claimsTable(fixtureStudy());
  assert.is(row(rows, 'peak-throughput-ratio').simulated, '1.51×');
  assert.is(row(rows, 'ttft-ratio').simulated, '1.50×');
  // TTFT 1.8× against the paper's 1.51–1.56×: right direction, wrong size.
  const slow = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, TP: { ttft: 180, tpot: 6 } } }));
  assert.is(row(slow, 'ttft-ratio').verdict, 'partly');
  assert.match(row(slow, 'ttft-ratio').simulated, /^1\.80× \(\+15% vs the paper\)$/);
  // Shift slower than TP to the first token: the claim is reversed.
  const reversed = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 200, tpot: 6.2 } } }));
  assert.is(row(reversed, 'ttft-ratio').verdict, 'does not hold');
});

test('judgeRatio: ±10% of the published range holds, outside it partly, ≤ 1 does not hold', () => {
  assert.is(judgeRatio(1.37, 1.51).verdict, 'holds');
  assert.is(judgeRatio(1.35, 1.51).verdict, 'partly');
  assert.is(judgeRatio(1.71, 1.51, 1.56).verdict, 'holds');
  assert.is(judgeRatio(1.72, 1.51, 1.56).verdict, 'partly');
  assert.is(judgeRatio(1, 1.51).verdict, 'does not hold');
  assert.is(judgeRatio(0.8, 1.51).verdict, 'does not hold');
});

test('orderings: DP not highest fails and lists the order; ties count as lowest; "by far" needs 1.5×', () => {
  const rows = claimsTable(fixtureStudy({ peak: { ...PEAK, Shift: { ttft: 9e4, tpot: 70, thr: 55_000 } } }));
  const dp = row(rows, 'dp-highest-throughput-llama');
  assert.is(dp.verdict, 'does not hold');
  assert.is(dp.simulated, 'Shift 55.0k tok/s > DP 50.0k tok/s > SP 44.0k tok/s > TP 30.0k tok/s');
  // A 0.5% TPOT difference is a tie: TP is still (jointly) lowest, but only through the tie rule.
  const tie = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 100, tpot: 5.97 } } }));
  assert.is(row(tie, 'tp-lowest-tpot-llama').verdict, 'tie within 1%');
  const beaten = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, Shift: { ttft: 100, tpot: 5.5 } } }));
  assert.is(row(beaten, 'tp-lowest-tpot-llama').verdict, 'does not hold');
  const close = claimsTable(fixtureStudy({ lowLoad: { ...LOW_LOAD, DP: { ttft: 180, tpot: 20 } } }));
  assert.is(row(close, 'dp-worst-ttft-llama').verdict, 'partly');
  assert.match(row(close, 'dp-worst-ttft-llama').simulated, /DP = 1\.20× the next worst$/);
  // "about SP's": 15% apart is not about equal.
  const apart = claimsTable(fixtureStudy({ peak: { ...PEAK, SP: { ttft: 9e4, tpot: 100, thr: 39_000 } } }));
  assert.is(row(apart, 'shift-throughput-about-sp-qwen').verdict, 'does not hold');
});

test('trace claims: Azure checks mean, p50 and p99; Mooncake reads the queue indicators', () => {
  const azure = claimsTable(fixtureStudy({ azure: { ...AZURE, DP: { ...AZURE.DP!, tpot: [70, 20, 800] } } }));
  const tpot = row(azure, 'azure-lowest-tpot');
  assert.is(tpot.verdict, 'partly');
  assert.match(tpot.simulated, /^mean: DP 70\.0 ms < Shift 80\.0 ms/);
  assert.match(tpot.simulated, /p50: Shift 13\.0 ms </);
  // SP 0.7% below Shift at the mean only: a tie in one statistic makes the whole claim a tie, not "holds".
  const tied = claimsTable(fixtureStudy({ azure: { ...AZURE, SP: { ...AZURE.SP!, ttft: [566, 120, 5200] } } }));
  assert.is(row(tied, 'azure-lowest-ttft').verdict, 'tie within 1%');
  const moon = claimsTable(fixtureStudy({ mooncake: { ...MOONCAKE, TP: { ttft: 4500, tpot: 180 } } }));
  assert.is(row(moon, 'mooncake-tp-falls-behind').verdict, 'does not hold');
  assert.match(row(moon, 'mooncake-tp-falls-behind').simulated, /^bounded \(max 3 waiting/);
  assert.is(row(moon, 'mooncake-dp-falls-behind').verdict, 'holds');
});

test('rate sweep: completion = TTFT + output × TPOT, and the rate from which DP stays below TP', () => {
  const rows = rateSweep(fixtureStudy());
  assert.equal(rows.map((r) => r.rate), [1, 4, 16]);
  assert.is(rows[0]!.completion.DP, 1000 + 250 * 20);
  assert.is(dpOvertakesTp(rows), 4);
  // DP ahead again only at the top rate after losing at 4: it overtakes from 16.
  const late = fixtureStudy({ rates: { ...RATES, 4: { ...RATES[4]!, DP: { ttft: 6e4, tpot: 40 } } } });
  assert.is(dpOvertakesTp(rateSweep(late)), 16);
  // DP better at every rate: TP never wins at low rates.
  const never = claimsTable(fixtureStudy({ rates: { ...RATES, 1: { ...RATES[1]!, DP: { ttft: 200, tpot: 7.5 } } } }));
  assert.is(row(never, 'rate-tp-beats-dp-low').verdict, 'does not hold');
  assert.is(row(never, 'rate-dp-beats-tp-high').verdict, 'partly');
  const shiftLoses = claimsTable(fixtureStudy({ rates: { ...RATES, 16: { ...RATES[16]!, Shift: { ttft: 5e4, tpot: 60 } } } }));
  assert.is(row(shiftLoses, 'rate-shift-lowest').verdict, 'partly');
  assert.is(row(shiftLoses, 'rate-shift-lowest').simulated, 'not lowest at 16 req/s');
});

test('a missing experiment point is a MissingResultError naming it', () => {
  const study = fixtureStudy();
  const broken = { ...study, 'azure-code': { config: 'paper-azure-code', points: [] } };
  assert.throws(() => claimsTable(broken), (e: unknown) => e instanceof MissingResultError && /no point of workload 'azure-code'/.test((e as Error).message));
  // A study run in part (the real-study tests below) names the experiment it lacks.
  const partial = { 'latency-peak-llama': study['latency-peak-llama'] } as unknown as StudyResults;
  assert.throws(() => claimsTable(partial, CLAIMS.filter((c) => c.id === 'azure-lowest-ttft')), (e: unknown) => e instanceof MissingResultError && /no results of experiment azure-code in this study \(latency-peak-llama\): run it too/.test((e as Error).message));
});

/**
 * The real study against the verdicts checked into experiments/paper/README.md: a changed
 * verdict fails here until the README is regenerated (`yarn paper`) and the change explained
 * (experiments/paper/changes.ts). The claims read five of the study's eight configs (experiment 1
 * on both models, the rate sweep, both traces); the context sweeps and the bursty workload feed
 * only plots and explanations, so they are not run. Each config runs in full, exactly as `yarn
 * paper` runs it (runStudyExperiment, into a temporary directory removed afterwards): 29 s for
 * all five on 2 idle cores, 45–55 s on 2 cores shared with other jobs (load 16–30), so no
 * reduced run is needed (the whole `yarn paper`, with the context sweeps and the sensitivity
 * runs, takes 190–215 s). The study is deterministic (seeded),
 * so the verdicts are exactly the README's; the simulated numbers are compared only through the
 * verdicts and shown in the failure message.
 */
const README = fileURLToPath(new URL('../experiments/paper/README.md', import.meta.url));

interface ReadmeRow {
  readonly experiment: number;
  readonly claim: string;
  readonly published: string;
  readonly simulated: string;
  readonly verdict: string;
}

/** The rows of the README's "Every published claim" table, verdict markup (*, **) stripped. */
function readmeClaims(): ReadmeRow[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('## Every published claim');
  assert.ok(start >= 0, `${README} has no "## Every published claim" section: regenerate it with yarn paper`);
  const section = text.slice(start, text.indexOf('\n## ', start + 1));
  return section
    .split('\n')
    .filter((l) => /^\| \d+ \|/.test(l))
    .map((l) => {
      const cells = l.slice(2, -2).split(' | ');
      assert.is(cells.length, 5, `README claims row with ${cells.length} cells: ${l}`);
      const [experiment, claim, published, simulated, verdict] = cells as [string, string, string, string, string];
      return { experiment: Number(experiment), claim, published, simulated, verdict: verdict.replace(/\*/g, '') };
    });
}

test('README: its claims table lists exactly the claims of claims.ts, in order', () => {
  assert.equal(readmeClaims().map((r) => `${r.experiment} ${r.claim} (${r.published})`), CLAIMS.map((c) => `${c.experiment} ${c.claim} (${c.published})`));
});

/** Runs `ids` as `yarn paper` does and judges the claims of experiments `numbers` on them. */
async function realVerdicts(ids: readonly ExperimentId[], numbers: readonly number[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlab-paper-claims-'));
  try {
    const study: Partial<Record<ExperimentId, StudyResults[ExperimentId]>> = {};
    for (const id of ids) study[id] = await runStudyExperiment(STUDY.find((e) => e.id === id)!, dir, { jobs: 2 });
    const claims = CLAIMS.filter((c) => numbers.includes(c.experiment));
    const simulated = claimsTable(study as StudyResults, claims);
    const readme = new Map(readmeClaims().map((r) => [r.claim, r]));
    const diff = simulated
      .filter((c) => readme.get(c.claim)?.verdict !== c.verdict)
      .map((c) => `${c.id}: README says "${readme.get(c.claim)?.verdict ?? 'no such claim'}" (${readme.get(c.claim)?.simulated ?? ''}), the study now gives "${c.verdict}" (${c.simulated})`);
    assert.ok(claims.length > 0);
    assert.equal(diff, [], `verdicts differ from experiments/paper/README.md: rerun \`yarn paper\`, explain the change in experiments/paper/changes.ts and commit the README:\n${diff.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('real study, experiments 1 and 3 (4k/250 on both models, the rate sweep): the README’s verdicts', async () => {
  await realVerdicts(['latency-peak-llama', 'latency-peak-qwen', 'rate-sweep'], [1, 3]);
});

for (const [id, n] of [['azure-code', 5], ['mooncake', 6]] as const) {
  const e = STUDY.find((x) => x.id === id)!;
  testNeedingTraces(test, tracesOf(e), `real study, experiment ${n} (${e.file}): the README’s verdicts`, async () => {
    await realVerdicts([id], [n]);
  });
}

test.run();
