import { basename, dirname, extname, resolve } from 'node:path';
import { getProfile } from '../../cost/profiles/index.ts';
import type { HardwareProfile } from '../../cost/profile.ts';
import { getModel } from '../../model/catalog.ts';
import { createPolicy, type PolicySpec } from '../../policy/registry.ts';
import { tracesDirs as defaultTracesDirs } from '../../traces/discover.ts';
import type { KeyIssue } from '../../util/issues.ts';
import { configErrorOf } from '../config/errors.ts';
import type { Experiment, LoadOptions, Point } from '../config/load.ts';
import { referencedVars, substitute } from '../config/placeholders.ts';
import { resolveSystem } from '../config/resolve-system.ts';
import type { ResolvedSystem } from '../config/resolved-system.ts';
import { type ResolvedWorkload, resolveWorkload } from '../config/resolve-workload.ts';
import { validateWorkload } from '../config/validate.ts';
import type { WorkloadConfig } from '../config/workload-schema.ts';
import { readConfigSource } from '../config/yaml-source.ts';
import { describeZodIssues } from '../config/zod-issues.ts';
import { decodeStepFloorMs } from './bound.ts';
import { hasRate, nativeRate } from './rate.ts';
import { type SearchConfig, searchTopSchema } from '../config/search-schema.ts';
import { enumerateSpace } from './space.ts';
import type { CandidatePlan, SearchManifest, SearchProbeSpec } from '../config/search-plan.ts';

/** Whether a parsed config is a search (has a `search:` section). */
export function isSearchConfig(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && 'search' in data;
}

/** Whether the file holds a search config (unreadable files are not: the loader says why). */
export function isSearchFile(file: string): boolean {
  try {
    return isSearchConfig(readConfigSource(file).data);
  } catch {
    return false;
  }
}

/**
 * Reads and validates a search config and plans it as an experiment the runner can run: one
 * point per simulated candidate, its workload at the reference load, its unit bisecting its
 * capacity. Undeployable candidates and those a bound proves cannot win are in the plan
 * (run.json's `search.candidates`) with their reason, not in the points. Throws one
 * ConfigError listing every problem of the file.
 */
export async function loadSearch(file: string, o: LoadOptions = {}): Promise<Experiment> {
  const source = readConfigSource(file);
  const issues: KeyIssue[] = [];
  const fail = (): never => {
    throw configErrorOf(file, issues, (i) => source.locate(i));
  };
  const data = source.data;
  if (!isSearchConfig(data)) {
    issues.push({ path: [], message: 'expected a mapping with a search: section (the space, rate and slo of a search)' });
    return fail();
  }
  const raw = data as Record<string, unknown>;
  const withName = { name: basename(file, extname(file)), ...raw };
  const top = searchTopSchema.safeParse(withName, { reportInput: true });
  if (!top.success) {
    issues.push(...describeZodIssues(top.error.issues, searchTopSchema, withName));
    return fail();
  }
  const { workloads: rawWorkloads, search, ...settings } = top.data;
  const workload = validateSearchWorkload(rawWorkloads[0], search, issues);
  const baseDir = dirname(resolve(file));
  let profile: HardwareProfile | undefined;
  try {
    profile = getProfile(settings.hardware.endsWith('.json') ? resolve(baseDir, settings.hardware) : settings.hardware);
  } catch (e) {
    issues.push({ path: ['hardware'], message: (e as Error).message });
  }
  for (const [i, p] of (search.policies ?? []).entries()) {
    await createPolicy(p as PolicySpec, { baseDir, where: ['search', 'policies', i] }).catch((e: Error) => issues.push({ path: ['search', 'policies', i], message: e.message.replace(/\n\s*/g, '; ') }));
  }
  if (issues.length > 0 || workload === undefined || profile === undefined) return fail();

  const model = getModel(settings.model);
  const world = search.world ?? profile.gpus_per_node;
  const ctx = { model, profile, gpusPerNode: profile.gpus_per_node, dtype: settings.dtype, kv_dtype: settings.kv_dtype, engine: settings.engine, seed: settings.seed, baseDir, tracesDirs: o.tracesDirs ?? defaultTracesDirs() };
  const resolvedWorkload = resolveWorkload(workload, 0, ctx, issues);
  if (resolvedWorkload === undefined || !('spec' in resolvedWorkload)) {
    if (resolvedWorkload !== undefined) issues.push({ path: ['workloads', 0], message: `the workload's trace is missing: ${resolvedWorkload.reason}` });
    return fail();
  }
  let native: Awaited<ReturnType<typeof nativeRate>> | undefined;
  if ('trace' in resolvedWorkload.spec) {
    try {
      native = await nativeRate(resolvedWorkload.spec);
    } catch (e) {
      issues.push({ path: ['workloads', 0], message: (e as Error).message });
      return fail();
    }
  }
  const probe: SearchProbeSpec = { workload: resolvedWorkload.spec, ...(native === undefined ? {} : { nativeRate: native.rate }), rate: search.rate, slo: search.slo };
  const { candidates, systems } = await planCandidates(search, world, ctx, settings.model);
  const reference: ResolvedWorkload = { ...resolvedWorkload, ...(native === undefined ? {} : { requests: native.requests }) };
  const width = Math.max(3, String(systems.length - 1).length);
  const points: Point[] = systems.map((s, index) => ({ index, id: `p${String(index).padStart(width, '0')}`, params: { workload: workload.name, candidate: s.name }, workload: reference, systems: [s] }));
  const unitOf = new Map(points.map((p) => [p.systems[0]!.name, `${p.id}-s00`]));
  const manifest: SearchManifest = {
    rate: search.rate, slo: search.slo, curves: search.curves, workload: workload.name,
    ...(native === undefined ? {} : { native_rate: native.rate }),
    candidates: candidates.map((c) => (unitOf.has(c.name) ? { ...c, unit: unitOf.get(c.name)! } : c)),
  };
  const goodput = search.slo.goodput;
  const config = { ...settings, name: settings.name ?? basename(file, extname(file)), sweep: {}, compare: [], ...(goodput === undefined ? {} : { slo: { ttft_ms: goodput.ttft_ms, tpot_ms: goodput.tpot_ms } }) };
  const resolved = { ...settings, workloads: [workload], search };
  return { file, baseDir, config, profile, points, skipped: [], resolved, search: { manifest, probe } };
}

/**
 * The search's workload: the placeholder `${rate}` is the reference rate (so the config is
 * checked as it will run at the reference load); a synthetic workload must take its arrival
 * rate from it, and a trace must leave time_scale to the search.
 */
function validateSearchWorkload(raw: unknown, search: SearchConfig, issues: KeyIssue[]): WorkloadConfig | undefined {
  const at = ['workloads', 0];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: at, message: "expected 'trace: <catalog name or path>' or 'synthetic: {arrivals, lengths, count}'" });
    return undefined;
  }
  const vars = { rate: search.rate.reference };
  const value = substitute(raw, vars, { base: at, issues }) as Record<string, unknown>;
  const w = validateWorkload({ template: 0, vars, value }, [raw], issues);
  if (w === undefined) return undefined;
  if ('trace' in w) {
    if (w.time_scale !== undefined) issues.push({ path: [...at, 'time_scale'], message: 'a search replays the trace at each rate it tries (it sets time_scale itself): remove time_scale' });
    return w;
  }
  const arrivals = (raw as { synthetic?: { arrivals?: { rate?: unknown } } }).synthetic?.arrivals;
  if (!hasRate({ synthetic: w.synthetic, seed: 0 } as never)) issues.push({ path: [...at, 'synthetic', 'arrivals', 'kind'], message: `a search varies the arrival rate: use arrivals of kind poisson, gamma or constant (not ${w.synthetic.arrivals.kind})` });
  else if (!referencedVars(arrivals?.rate).has('rate')) issues.push({ path: [...at, 'synthetic', 'arrivals', 'rate'], message: "a search varies the arrival rate: write rate: '${rate}' (the search sets it; the reference load is search.rate.reference)" });
  return w;
}

type Ctx = Parameters<typeof resolveSystem>[2];

/** Every candidate of the space with its status; the systems to simulate, in the candidates' order. */
async function planCandidates(search: SearchConfig, world: number, ctx: Ctx, model: string): Promise<{ candidates: CandidatePlan[]; systems: ResolvedSystem[] }> {
  const candidates: CandidatePlan[] = [];
  const systems: ResolvedSystem[] = [];
  for (const [i, c] of enumerateSpace(search, ctx.model, world).entries()) {
    const s = c.system;
    const base = { name: s.name, strategy: s.strategy, world, sp: s.sp!, tp: s.tp!, ...(c.policy === undefined ? {} : { policy: c.policy }), engine: c.engine as Record<string, number> };
    const why: KeyIssue[] = [];
    const resolved = await resolveSystem(s, i, ctx, why);
    if (resolved === undefined) {
      candidates.push({ ...base, status: 'undeployable', reason: why.map((x) => x.message).join('; ') });
      continue;
    }
    const target = search.slo.tpot_p99_ms;
    const floor = target === undefined ? 0 : await decodeStepFloorMs(resolved, model, ctx.profile);
    if (target !== undefined && floor > target) {
      candidates.push({ ...base, status: 'pruned', reason: `decode-step bound: one decode step alone takes ${floor.toFixed(2)} ms > the p99 TPOT target ${target} ms in every mode, so every request with 2+ output tokens misses it at any rate (capacity 0)` });
      continue;
    }
    candidates.push({ ...base, status: 'simulated' });
    systems.push(resolved);
  }
  return { candidates, systems };
}
