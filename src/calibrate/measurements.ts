import { z } from 'zod';
import { ConfigError, type LocatedIssue } from '../exp/config/errors.ts';
import { readConfigSource } from '../exp/config/yaml-source.ts';

/**
 * A measurements file (shared/calibration/measurements.yaml): serving numbers measured on real
 * systems. `use: fit` points may choose constants; `use: check` points are only compared with
 * (their engine or setup differs, so they test trends). Each point says what ran and what was
 * measured; `yarn calibrate fit` turns it into simulator runs (see scenarios.ts).
 */
const METRICS = ['ttft_ms', 'tpot_ms', 'throughput_tok_s', 'throughput_ratio', 'allreduce_share_of_prefill'] as const;
export type MeasuredMetric = (typeof METRICS)[number];

const pointSchema = z.strictObject({
  use: z.enum(['fit', 'check']),
  source: z.string().min(1),
  engine: z.string().min(1),
  hardware: z.string().min(1),
  gpus: z.number().int().positive(),
  model: z.string().min(1),
  quant: z.string().min(1),
  system: z.string().min(1),
  workload: z.string().min(1),
  metric: z.enum(METRICS),
  value: z.number().positive(),
});

const fileSchema = z.strictObject({ points: z.array(pointSchema).min(1) });

export interface Measurement extends z.output<typeof pointSchema> {
  /** Readable and unique: "DP ttft_ms 4096/250 one-at-a-time". */
  readonly id: string;
  /** Index in the file's `points` (key paths of errors). */
  readonly index: number;
}

export interface MeasurementsFile {
  readonly file: string;
  readonly points: readonly Measurement[];
  /** Attaches the line of `points[index].key` to a problem found later (an unsupported workload). */
  locate(index: number, key: string, message: string): LocatedIssue;
}

/** Reads and validates a measurements file; every problem is a ConfigError naming file, line and key. */
export function loadMeasurements(file: string): MeasurementsFile {
  const source = readConfigSource(file);
  const parsed = fileSchema.safeParse(source.data);
  if (!parsed.success) {
    throw new ConfigError(file, parsed.error.issues.map((i) => source.locate({ path: i.path.map((k) => (typeof k === 'symbol' ? String(k) : k)), message: i.message })));
  }
  const seen = new Map<string, number>();
  const issues: LocatedIssue[] = [];
  const points = parsed.data.points.map((p, index): Measurement => {
    const id = `${p.system} ${p.metric} ${p.workload}${p.hardware === 'h200' ? '' : ` (${p.hardware})`}`;
    const before = seen.get(id);
    if (before !== undefined) issues.push(source.locate({ path: ['points', index], message: `the same measurement as points[${before}] (${id})` }));
    seen.set(id, index);
    return { ...p, id, index };
  });
  if (issues.length > 0) throw new ConfigError(file, issues);
  return { file, points, locate: (index, key, message) => source.locate({ path: ['points', index, key], message }) };
}
