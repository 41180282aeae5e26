import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Experiment, SystemResult, UnitInput, UnitOutput } from '../../src/exp/index.ts';
import { WorkerPool } from '../../src/exp/pool.ts';
import type { UnitProgress } from '../../src/exp/run-point.ts';
import { HEADLINE_SYSTEMS, HEADLINE_WORKLOADS, type HeadlineRatios, headlineRatios } from './headline.ts';
import { FACTORS, PERTURBATIONS, perturbProfile } from './perturb.ts';

/**
 * How the two headline ratios move when one group of cost-model constants changes by ±20%:
 * the four units they are made of (TP and Shift at one request and at saturation, experiment 1
 * on Llama-3.3-70B) rerun with a perturbed profile written as JSON beside the study.
 */
export interface SensitivityRow {
  readonly id: string;
  readonly label: string;
  readonly keys: string;
  /** By factor, in FACTORS order. */
  readonly ratios: readonly { readonly factor: number; readonly ratios: HeadlineRatios }[];
}

export interface Sensitivity {
  readonly baseline: HeadlineRatios;
  readonly rows: readonly SensitivityRow[];
}

type Variant = { readonly key: string; readonly hardware: string };

function unitInputs(exp: Experiment, v: Variant): UnitInput[] {
  return Object.values(HEADLINE_WORKLOADS).flatMap((workload) => {
    const p = exp.points.find((x) => x.workload.name === workload);
    if (!p) throw new Error(`${exp.file}: no workload '${workload}' for the sensitivity study`);
    return HEADLINE_SYSTEMS.map((name) => {
      const system = p.systems.find((s) => s.name === name);
      if (!system) throw new Error(`${exp.file}: no system '${name}' for the sensitivity study`);
      return { unit: `${v.key}/${workload}/${name}`, point: p.id, model: exp.config.model, hardware: v.hardware, system, workload: p.workload, timelineBins: 1, baseDir: exp.baseDir };
    });
  });
}

function ratiosOf(byUnit: ReadonlyMap<string, SystemResult>, key: string): HeadlineRatios {
  const get = (w: string, s: string): SystemResult => byUnit.get(`${key}/${w}/${s}`)!;
  return headlineRatios({
    latency: { TP: get(HEADLINE_WORKLOADS.latency, 'TP'), Shift: get(HEADLINE_WORKLOADS.latency, 'Shift') },
    peak: { TP: get(HEADLINE_WORKLOADS.peak, 'TP'), Shift: get(HEADLINE_WORKLOADS.peak, 'Shift') },
  });
}

/** `exp` is experiment 1 on Llama-3.3-70B; profiles are written under `dir`/profiles. */
export async function runSensitivity(exp: Experiment, dir: string, jobs = availableParallelism()): Promise<Sensitivity> {
  const profiles = join(dir, 'profiles');
  mkdirSync(profiles, { recursive: true });
  const variants: Variant[] = [{ key: 'baseline', hardware: exp.config.hardware }];
  for (const q of PERTURBATIONS) {
    for (const f of FACTORS) {
      const file = join(profiles, `${q.id}-x${f}.json`);
      writeFileSync(file, `${JSON.stringify(perturbProfile(exp.profile, q, f), null, 2)}\n`);
      variants.push({ key: `${q.id}-x${f}`, hardware: file });
    }
  }
  const inputs = variants.flatMap((v) => unitInputs(exp, v));
  const pool = new WorkerPool<UnitInput, UnitOutput, UnitProgress>(new URL('../../src/exp/worker.ts', import.meta.url), Math.max(1, Math.min(jobs, inputs.length)));
  const byUnit = new Map<string, SystemResult>();
  try {
    await Promise.all(inputs.map(async (u) => byUnit.set(u.unit, (await pool.run(u)).summary)));
  } finally {
    await pool.close();
  }
  return {
    baseline: ratiosOf(byUnit, 'baseline'),
    rows: PERTURBATIONS.map((q) => ({ id: q.id, label: q.label, keys: q.keys, ratios: FACTORS.map((factor) => ({ factor, ratios: ratiosOf(byUnit, `${q.id}-x${factor}`) })) })),
  };
}
