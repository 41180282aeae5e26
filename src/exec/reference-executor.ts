import { ReferenceModel } from '../model/reference.ts';
import { openWeights, weightSpec } from '../model/weight-spec.ts';
import { tpMode } from '../strategies/tp.ts';
import type { Executor } from './types.ts';

/**
 * The single-device reference behind the Executor interface (strategy 'single'): a catalog
 * model with seeded weights, or a Hugging Face checkpoint when `checkpoint` is set.
 */
export function createReferenceExecutor(o: { model: string; seed: number; checkpoint?: string; kvBlocks: number; blockSize: number }): Executor {
  const weights = openWeights(weightSpec(o));
  const model = weights.model;
  const ref = new ReferenceModel(weights, o.kvBlocks, o.blockSize);
  const mode = tpMode(model, 1);
  return {
    name: 'single',
    world: 1,
    replicas: 1,
    modes: [mode],
    kvLayout: () => mode.kv,
    step: async (batch) => ({ mode, logits: ref.forward(batch), comm: [[]] }),
    close: async () => weights.close(),
  };
}
