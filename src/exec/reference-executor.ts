import { getModel } from '../model/catalog.ts';
import { ReferenceModel } from '../model/reference.ts';
import { tpShard } from '../kv/heads.ts';
import type { Mode } from '../parallel/mode.ts';
import type { Executor } from './types.ts';

/** The single-device reference behind the Executor interface (strategy 'single'). */
export function createReferenceExecutor(o: { model: string; seed: number; kvBlocks: number; blockSize: number }): Executor {
  const model = getModel(o.model);
  const ref = new ReferenceModel(model, o.seed, o.kvBlocks, o.blockSize);
  const mode: Mode = { kind: 'tp', tp: 1 };
  return {
    name: 'single',
    world: 1,
    replicas: 1,
    modes: [mode],
    kvLayout: () => [tpShard(model, 1, 0)],
    step: async (batch) => ({ mode, logits: ref.forward(batch), comm: [[]] }),
    close: async () => {},
  };
}
