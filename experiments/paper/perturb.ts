import { type HardwareProfile, parseProfile } from '../../src/cost/index.ts';

/**
 * The cost-model constants whose uncertainty the sensitivity table explores, each as a change of
 * the hardware profile by a factor (0.8 and 1.2 in the README). The result is validated like any
 * profile (an efficiency pushed above 1 is an error, not silently clipped).
 */
export interface Perturbation {
  readonly id: string;
  readonly label: string;
  /** The profile keys it scales. */
  readonly keys: string;
  readonly apply: (p: HardwareProfile, f: number) => HardwareProfile;
}

export const FACTORS = [0.8, 1.2] as const;

export const PERTURBATIONS: readonly Perturbation[] = [
  {
    id: 'nvlink',
    label: 'NVLink bandwidth',
    keys: 'collectives[*].bus_bytes_per_s',
    apply: (p, f) => ({ ...p, collectives: p.collectives.map((c) => ({ ...c, bus_bytes_per_s: c.bus_bytes_per_s * f })) }),
  },
  {
    id: 'alpha',
    label: 'collective start-up latency α',
    keys: 'collectives[*].alpha_s',
    apply: (p, f) => ({ ...p, collectives: p.collectives.map((c) => ({ ...c, alpha_s: c.alpha_s * f })) }),
  },
  {
    id: 'hbm',
    label: 'HBM bandwidth',
    keys: 'hbm.bytes_per_s',
    apply: (p, f) => ({ ...p, hbm: { ...p.hbm, bytes_per_s: p.hbm.bytes_per_s * f } }),
  },
  {
    id: 'gemm',
    label: 'GEMM efficiency',
    keys: 'gemm.bf16.max_efficiency, gemm.fp8.max_efficiency',
    apply: (p, f) => ({
      ...p,
      gemm: { ...p.gemm, bf16: { ...p.gemm.bf16, max_efficiency: p.gemm.bf16.max_efficiency * f }, fp8: { ...p.gemm.fp8, max_efficiency: p.gemm.fp8.max_efficiency * f } },
    }),
  },
  {
    id: 'engine',
    label: 'engine overhead',
    keys: 'engine.iteration_s, engine.per_seq_s',
    apply: (p, f) => ({ ...p, engine: { ...p.engine, iteration_s: p.engine.iteration_s * f, per_seq_s: p.engine.per_seq_s * f } }),
  },
];

/** The profile with one perturbation applied, renamed and validated. */
export function perturbProfile(p: HardwareProfile, q: Perturbation, f: number): HardwareProfile {
  return parseProfile({ ...q.apply(p, f), name: `${p.name}-${q.id}-x${f}` }, `${p.name} with ${q.label} × ${f}`);
}
