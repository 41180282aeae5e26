import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicy, type PolicySpec } from '../policy/registry.ts';
import { PolicyError, type SwitchPolicy } from '../policy/types.ts';
import { type IterationRow, type SimResult, type Summary, simulate } from '../sim/index.ts';
import { openWorkload } from '../traces/index.ts';
import { TMP_SUFFIX } from './atomic.ts';
import { getStrategy } from '../strategies/registry.ts';
import type { ResolvedSystem } from './config/resolved-system.ts';
import { IterationLog } from './iteration-log.ts';
import { policyLabel } from './manifest.ts';
import { hashFile } from './provenance.ts';
import { RequestFileWriter, requestFile } from './request-file.ts';
import type { LatencyStats } from './results.ts';
import { simSpec } from './sim-spec.ts';
import type { UnitInput, UnitResult, UnitSummary } from './unit.ts';
import { CdfCollector, type ExactLatencies, exactLatencies } from './unit-metrics.ts';

/**
 * The adapter between experiments and the serving simulator (src/sim): a resolved system
 * becomes a SystemSpec (sim-spec.ts, which the config loader also uses, so it sits below both),
 * a unit (system × point) becomes one `simulate` run, and its result, request rows and
 * iteration rows become a unit result. Everything else that knows the simulator's API is here.
 */
export type UnitOutput = Omit<UnitResult, 'version' | 'config_hash'>;
/** Sent while a unit runs: requests finished so far. */
export interface UnitProgress {
  readonly finished: number;
}

export class EmptyWorkloadError extends Error {
  override readonly name = 'EmptyWorkloadError';
}

/** A Shift system's policy object; user modules are resolved from `baseDir` (the config's directory). */
function systemPolicy(system: ResolvedSystem, baseDir: string): Promise<SwitchPolicy | undefined> {
  return system.policy === undefined ? Promise.resolve(undefined) : createPolicy(system.policy as PolicySpec, { baseDir });
}

/** Refuses a policy module whose files changed since the run started (see UnitInput.policyFiles). */
function checkPolicyFiles(files: Readonly<Record<string, string>>): void {
  for (const [path, recorded] of Object.entries(files)) {
    const now = existsSync(path) ? hashFile(path) : 'missing';
    if (now !== recorded) {
      throw new PolicyError(`${path} changed since this run started (sha256 ${recorded} → ${now}); a report mixing two versions of a policy would mislead. Restore it and resume, or start a new run`);
    }
  }
}

/**
 * Runs one unit. Request rows stream to units/<unit>.requests.csv as requests finish (the file
 * appears only when the unit succeeds); only in-flight requests are held in memory.
 */
export async function runUnit(input: UnitInput, onProgress: (p: UnitProgress) => void = () => {}): Promise<UnitOutput> {
  const { system, workload, files } = input;
  if (input.policyFiles) checkPolicyFiles(input.policyFiles);
  const policy = await systemPolicy(system, input.baseDir);
  const file = files === undefined ? null : requestFile(files.unitsDir, input.unit);
  const rows = file === null ? null : new RequestFileWriter(file);
  const spill = `${file ?? join(tmpdir(), `shiftlab-${randomBytes(6).toString('hex')}`)}.iterations${TMP_SUFFIX}`;
  const log = new IterationLog(getStrategy(system.strategy).switching?.report.fractionOf ?? null, spill);
  const cdfs = new CdfCollector();
  let finished = 0;
  let lastReport = 0;
  try {
    const { stream } = openWorkload(workload.spec);
    const result = await simulate(simSpec(system, input.model, input.hardware, policy), stream, {
      ...(input.slo === undefined ? {} : { slo: input.slo }),
      onRequest: (row) => {
        rows?.finished(row);
        cdfs.add(row);
        finished++;
        if (Date.now() - lastReport > 500) {
          lastReport = Date.now();
          onProgress({ finished });
        }
      },
      onReject: (request) => rows?.rejected(request),
      onIteration: (row: IterationRow) => log.add(row.start, row.tokens, row.mode),
    });
    if (result.requests.arrived === 0) throw new EmptyWorkloadError(`workload '${workload.name}' produced no requests (check its window, count or duration)`);
    rows?.commit();
    const cdfPoints = input.cdfPoints ?? 0;
    const exact = file !== null && files?.percentiles === 'exact' ? exactLatencies(file, rows!.rows, cdfPoints) : null;
    return {
      unit: input.unit, point: input.point, system: system.name,
      summary: summary(input, result, exact),
      cdf: exact?.cdf ?? cdfs.cdfs(cdfPoints),
      timeline: log.bin(input.timelineBins),
    };
  } catch (e) {
    rows?.abort();
    throw e;
  } finally {
    log.discard();
  }
}

/** The simulator's statistics have NaN where no request contributed; results.json says null. */
function stats(s: { mean: number; p50: number; p90: number; p99: number }): LatencyStats {
  const v = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return { mean: v(s.mean), p50: v(s.p50), p90: v(s.p90), p99: v(s.p99) };
}

/** The simulator's summary of a latency, with exact percentiles where they were computed. */
function latency(sim: Summary, exact: Pick<Summary, 'p50' | 'p90' | 'p99'> | undefined): LatencyStats {
  return stats(exact === undefined ? sim : { ...sim, ...exact });
}

function summary(input: UnitInput, r: SimResult, exact: ExactLatencies | null): UnitSummary {
  const s = input.system;
  const byMode = r.iterations.by_mode;
  const marked = getStrategy(s.strategy).switching?.report.fractionOf;
  return {
    ttft_ms: latency(r.ttft_ms, exact?.ttft_ms),
    tpot_ms: latency(r.tpot_ms, exact?.tpot_ms),
    itl_ms: stats(r.itl_ms),
    e2e_ms: latency(r.e2e_ms, exact?.e2e_ms),
    percentiles: exact ? { ...r.percentiles, ttft_ms: 'exact', tpot_ms: 'exact', e2e_ms: 'exact' } : r.percentiles,
    throughput_tok_s: r.throughput_tok_s,
    requests: r.requests,
    switches: r.switches,
    strategy: s.strategy, world: r.world, sp: r.sp, tp: r.tp,
    ...(s.policy === undefined ? {} : { policy: policyLabel(s.policy, r.policy ?? undefined)! }),
    duration_s: r.duration_s,
    max_in_flight: r.max_in_flight,
    ...(r.goodput === null ? {} : { goodput_req_s: r.goodput.req_s, slo_attainment: r.goodput.fraction }),
    ...(marked === undefined ? {} : { tp_iteration_fraction: r.iterations.count > 0 ? (byMode[marked] ?? 0) / r.iterations.count : 0 }),
    iterations: r.iterations,
    tokens: r.tokens,
    preemptions: r.preemptions,
    rejections: r.rejections,
    queue: r.queue,
    breakdown: r.breakdown,
    kv: r.kv,
  };
}
