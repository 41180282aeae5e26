import { type HardwareProfile, defaultCaptureSizes } from '../../src/cost/index.ts';
import { type EngineSettings, engineSettingsSchema } from '../../src/sim/index.ts';
import { PROFILE_SOURCES } from './sources.ts';

/**
 * The calibration section's tables, read from the code so they cannot go stale: every numeric
 * constant of the hardware profile (with its source from sources.ts), the CUDA-graph capture
 * sizes of the cost model, and the engine settings the study runs with.
 */
export interface ConstantRow {
  readonly key: string;
  readonly value: string;
  readonly source: string;
}

export class MissingSourceError extends Error {
  override readonly name = 'MissingSourceError';
}

/** Every numeric leaf of a profile: [path, value], collectives keyed by algorithm, the attention table by context. */
export function profileConstants(p: HardwareProfile): [string, number][] {
  const out: [string, number][] = [['gpus_per_node', p.gpus_per_node], ['memory_bytes', p.memory_bytes]];
  const leaves = (prefix: string, o: object): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number') out.push([`${prefix}.${k}`, v]);
      else if (typeof v === 'object' && v !== null && !Array.isArray(v)) leaves(`${prefix}.${k}`, v);
    }
  };
  leaves('hbm', p.hbm);
  leaves('gemm', p.gemm);
  if (p.kernel_floor_s !== undefined) out.push(['kernel_floor_s', p.kernel_floor_s]);
  out.push(['attention.peak_flops', p.attention.peak_flops]);
  for (const [ctx, eff] of p.attention.efficiency_by_context) out.push([`attention.efficiency_by_context[${ctx}]`, eff]);
  for (const c of p.collectives) {
    const { algorithm, kinds: _kinds, ...numbers } = c;
    leaves(`collectives[${algorithm}]`, numbers);
  }
  leaves('engine', p.engine);
  return out;
}

/** A value with the unit its key implies. */
export function formatConstant(key: string, v: number): string {
  if (key.endsWith('flops')) return `${(v / 1e12).toFixed(1)} TFLOP/s`;
  if (key.endsWith('bytes_per_s')) return v >= 1e12 ? `${(v / 1e12).toFixed(2)} TB/s` : `${(v / 1e9).toFixed(1)} GB/s`;
  if (key.endsWith('_s')) return v >= 1e-3 ? `${(v * 1e3).toFixed(2)} ms` : `${(v * 1e6).toFixed(1)} µs`;
  if (key === 'memory_bytes') return `${(v / 1e9).toFixed(0)} GB`;
  if (key.endsWith('max_bytes')) return `${(v / 2 ** 20).toFixed(0)} MiB`;
  if (key.includes('efficiency')) return v.toFixed(3);
  return String(v);
}

/** The profile's constants with their sources; throws naming constants without one. */
export function constantRows(p: HardwareProfile, sources: Readonly<Record<string, string>> = PROFILE_SOURCES): ConstantRow[] {
  const rows = profileConstants(p);
  const missing = rows.filter(([k]) => sources[k] === undefined && p.sources?.[k] === undefined).map(([k]) => k);
  if (missing.length > 0) throw new MissingSourceError(`no source for profile constant(s) ${missing.join(', ')}: add one to experiments/paper/sources.ts`);
  return rows.map(([key, v]) => ({ key, value: formatConstant(key, v), source: p.sources?.[key] ?? sources[key]! }));
}

/** "1, 2, 4, 8, 16, …, 512 (67 sizes)": the cost model's CUDA-graph capture sizes. */
export function captureSizesText(maxNumBatchedTokens: number): string {
  const s = defaultCaptureSizes(maxNumBatchedTokens);
  return `${s.slice(0, 5).join(', ')}, …, ${s.at(-1)} (${s.length} sizes)`;
}

/** The engine settings of a run, each with the help text of the setting (src/sim/settings.ts). */
export function engineRows(e: EngineSettings): ConstantRow[] {
  const shape = engineSettingsSchema.shape;
  return (Object.keys(shape) as (keyof EngineSettings)[])
    .filter((k) => e[k] !== undefined)
    .map((k) => ({ key: k, value: String(e[k]), source: shape[k].description ?? '' }));
}
