import type { ModelConfig } from '../model/config.ts';
import type { MetaDtypes } from '../ops/meta.ts';
import type { OpRecord } from '../ops/trace.ts';
import type { Mode } from '../parallel/mode.ts';
import { getStrategy } from '../strategies/registry.ts';
import type { ParallelConfig, Strategy, StrategyName } from '../strategies/types.ts';
import { type CostShape, SYNCHRONOUS, layerUnitOf } from './cost-shape.ts';
import { StrategyTracer, syntheticBatch } from './tracer.ts';

/** What a trace depends on: the model, the strategy and its layout, and the element sizes. */
export interface TraceKey {
  readonly model: ModelConfig;
  readonly strategy: StrategyName;
  readonly parallel: ParallelConfig;
  readonly dtypes: MetaDtypes;
}

/** Ranks that do the same work in a mode, and the records of one of them. */
export interface RoleTrace {
  /** The ranks of the role, ascending; `records` are the first one's. */
  readonly ranks: readonly number[];
  readonly records: readonly OpRecord[];
}

/**
 * The shapes at which every rank of a mode is traced to find its role, on a copy of one layer
 * unit (building rank models is what probing costs, so one layer count): a token count that is a
 * multiple of no SP degree above 1, with and without sampling sequences.
 */
const ROLE_PROBES: readonly { readonly tokens: number; readonly sampled: number }[] = [
  { tokens: 1, sampled: 1 },
  { tokens: 37, sampled: 0 },
  { tokens: 37, sampled: 3 },
];

/**
 * The meta traces of one deployment, kept by (mode, layers, tokens, sampling sequences) and by
 * rank role. A trace depends on the model, strategy, layout and dtypes but not on any hardware
 * constant, so cost models that price the same deployment on different profiles (`yarn
 * calibrate fit` prices it hundreds of times) can share one cache and only re-price. Nothing
 * here is global: the owner decides how long it lives.
 *
 * Every rank is traced, none is assumed to stand for the others: the ranks of a mode are first
 * traced at ROLE_PROBES and grouped into roles, ranks whose records are equal at every probe
 * (peers of point-to-point records aside: they do not change a rank's cost). Later shapes are
 * traced once per role, on its first rank. TP, SP and Shift have one role per mode; DP two (its
 * synthetic batches live on replica 0: the busy replica's ranks and the idle ones); PP three
 * (the first stage, which embeds, the middle stages, and the last, which samples).
 */
export class TraceCache {
  readonly key: string;
  private readonly tracer: StrategyTracer;
  private readonly strategy: Strategy;
  private readonly parallel: ParallelConfig;
  private readonly records = new Map<string, readonly RoleTrace[]>();
  private readonly roleRanks = new Map<string, readonly (readonly number[])[]>();
  /** Per mode, whether each role recorded nothing at every probe. */
  private readonly roleIdle = new Map<string, readonly boolean[]>();
  /** Meta forwards run so far (for profiling the cache). */
  traces = 0;

  /** `strategy` defaults to the registered one of that name (tests pass a variant of it). */
  constructor(k: TraceKey, strategy: Strategy = getStrategy(k.strategy)) {
    this.key = traceKeyOf(k);
    this.strategy = strategy;
    this.parallel = k.parallel;
    this.tracer = new StrategyTracer({ model: k.model, strategy, parallel: k.parallel, dtypes: k.dtypes });
  }

  /** The cost shape the strategy declares for `mode` (default synchronous). */
  costShape(mode: Mode): CostShape {
    return this.strategy.costShape?.(this.parallel, mode) ?? SYNCHRONOUS;
  }

  /** The layer unit of `mode` (layerUnitOf its cost shape): role probes trace a copy of one unit. */
  layerUnit(mode: Mode): number {
    return layerUnitOf(this.costShape(mode));
  }

  /** The ranks of each role of `mode`, in order of their first rank (rank 0's role first). */
  roles(mode: Mode): readonly (readonly number[])[] {
    const id = modeKey(mode);
    let roles = this.roleRanks.get(id);
    if (roles) return roles;
    const signatures = Array.from({ length: this.tracer.world }, () => '');
    const unit = this.layerUnit(mode);
    for (const p of ROLE_PROBES) {
      const perRank = this.tracer.traceEveryRank(unit, mode, syntheticBatch(p.tokens, p.sampled));
      this.traces += perRank.length;
      perRank.forEach((records, rank) => (signatures[rank] += signatureOf(records)));
    }
    const byRole = new Map<string, number[]>();
    signatures.forEach((sig, rank) => {
      const ranks = byRole.get(sig);
      if (ranks) ranks.push(rank);
      else byRole.set(sig, [rank]);
    });
    roles = [...byRole.values()];
    this.roleRanks.set(id, roles);
    this.roleIdle.set(id, [...byRole.keys()].map((sig) => sig === EMPTY.repeat(ROLE_PROBES.length)));
    return roles;
  }

  /**
   * Whether role `role` of `mode` recorded no op at any probe (DP's idle replicas, whose
   * synthetic batches live on replica 0): the cost model prices such a role at zero without
   * pricing its (empty) traces on every iteration.
   */
  idle(mode: Mode, role: number): boolean {
    this.roles(mode);
    return this.roleIdle.get(modeKey(mode))![role]!;
  }

  /** The records of one forward of an L-layer copy of the model in `mode`, per role. */
  traceRoles(layers: number, mode: Mode, tokens: number, sampled: number): readonly RoleTrace[] {
    const id = `${modeKey(mode)}:${layers}:${tokens}:${sampled}`;
    let r = this.records.get(id);
    if (!r) {
      r = this.roles(mode).map((ranks) => {
        this.traces++;
        return { ranks, records: this.tracer.trace(layers, mode, tokens, sampled, ranks[0]!) };
      });
      this.records.set(id, r);
    }
    return r;
  }

  /** The records of one role (default rank 0's) of one forward of an L-layer copy of the model. */
  trace(layers: number, mode: Mode, tokens: number, sampled: number, role = 0): readonly OpRecord[] {
    return this.traceRoles(layers, mode, tokens, sampled)[role]!.records;
  }

  /** Bytes of weights `rank` holds (every mode's copy). */
  weightBytes(rank = 0): number {
    return this.tracer.weightBytes(rank);
  }
}

/** A string that differs whenever the traces would. */
export function traceKeyOf(k: TraceKey): string {
  return JSON.stringify([k.model, k.strategy, k.parallel, k.dtypes]);
}

/** A mode's identity in cache keys: its id, unique among the modes of one (strategy, deployment). */
function modeKey(mode: Mode): string {
  return mode.id;
}

/** The signature of an empty trace. */
const EMPTY = '[]\n';

/** A rank's records as a string, the peers of point-to-point records left out. */
function signatureOf(records: readonly OpRecord[]): string {
  return JSON.stringify(records, (key, value: unknown) => (key === 'peer' ? undefined : value)) + '\n';
}
