import type { ModelConfig } from '../model/config.ts';
import type { MetaDtypes } from '../ops/meta.ts';
import type { OpRecord } from '../ops/trace.ts';
import type { Mode } from '../parallel/mode.ts';
import { getStrategy } from '../strategies/registry.ts';
import type { ParallelConfig, StrategyName } from '../strategies/types.ts';
import { StrategyTracer } from './tracer.ts';

/** What a trace depends on: the model, the strategy and its layout, and the element sizes. */
export interface TraceKey {
  readonly model: ModelConfig;
  readonly strategy: StrategyName;
  readonly parallel: ParallelConfig;
  readonly dtypes: MetaDtypes;
}

/**
 * The meta traces of one deployment, kept by (mode, layers, tokens, sampling sequences). A trace
 * depends on the model, strategy, layout and dtypes but not on any hardware constant, so cost
 * models that price the same deployment on different profiles (`yarn calibrate fit` prices it
 * hundreds of times) can share one cache and only re-price. Nothing here is global: the owner
 * decides how long it lives.
 */
export class TraceCache {
  readonly key: string;
  private readonly tracer: StrategyTracer;
  private readonly records = new Map<string, readonly OpRecord[]>();
  /** Meta forwards run so far (for profiling the cache). */
  traces = 0;

  constructor(k: TraceKey) {
    this.key = traceKeyOf(k);
    this.tracer = new StrategyTracer({ model: k.model, strategy: getStrategy(k.strategy), parallel: k.parallel, dtypes: k.dtypes });
  }

  /** The records of one forward of an L-layer copy of the model on rank 0 in `mode`. */
  trace(layers: number, mode: Mode, tokens: number, sampled: number): readonly OpRecord[] {
    const id = `${mode.id}:${layers}:${tokens}:${sampled}`;
    let r = this.records.get(id);
    if (!r) {
      this.traces++;
      r = this.tracer.trace(layers, mode, tokens, sampled);
      this.records.set(id, r);
    }
    return r;
  }

  /** Bytes of weights one GPU holds (every mode's copy). */
  weightBytes(): number {
    return this.tracer.weightBytes();
  }
}

/** A string that differs whenever the traces would. */
export function traceKeyOf(k: TraceKey): string {
  return JSON.stringify([k.model, k.strategy, k.parallel, k.dtypes]);
}
