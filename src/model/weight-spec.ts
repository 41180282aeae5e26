import { getModel } from './catalog.ts';
import { CheckpointWeights } from './checkpoint.ts';
import { SeededWeights, type WeightSource } from './weights.ts';

/**
 * How to find a model and its weights, as plain data: the driver sends it to every rank, and
 * each opens its own source and reads only its shard.
 */
export type WeightSpec =
  | { readonly kind: 'seeded'; readonly model: string; readonly seed: number }
  | { readonly kind: 'checkpoint'; readonly dir: string };

/** A catalog model with seeded weights, or a Hugging Face checkpoint when `checkpoint` is set. */
export function weightSpec(o: { readonly model: string; readonly seed: number; readonly checkpoint?: string | undefined }): WeightSpec {
  return o.checkpoint === undefined ? { kind: 'seeded', model: o.model, seed: o.seed } : { kind: 'checkpoint', dir: o.checkpoint };
}

/** Opens the source (a checkpoint: config.json and the tensor headers, no tensor data yet). */
export function openWeights(spec: WeightSpec): WeightSource {
  return spec.kind === 'seeded' ? new SeededWeights(getModel(spec.model), spec.seed) : new CheckpointWeights(spec.dir);
}
