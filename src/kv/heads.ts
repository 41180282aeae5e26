import type { ModelConfig } from '../model/config.ts';
import type { HeadShard } from '../parallel/mode.ts';

export type { HeadShard } from '../parallel/mode.ts';

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => start + k);
}

/** Heads of position p among n tensor-parallel shards (vLLM's split and replication rule). */
export function tpShard(model: ModelConfig, n: number, p: number): HeadShard {
  const hq = model.heads / n;
  if (model.kvHeads >= n) {
    const g = model.kvHeads / n;
    return { qHeads: range(p * hq, hq), kvHeads: range(p * g, g), replicas: 1, replica: 0 };
  }
  const replicas = n / model.kvHeads;
  return {
    qHeads: range(p * hq, hq),
    kvHeads: [Math.floor(p / replicas)],
    replicas,
    replica: p % replicas,
  };
}
