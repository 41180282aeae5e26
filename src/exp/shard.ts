/**
 * A shard of a sweep: `--shard i/n` runs the points whose index is i−1 modulo n (shards are
 * numbered 1..n), so the n jobs of a batch scheduler's job array split any sweep evenly and
 * `yarn exp merge` can join them.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export class ShardError extends Error {
  override readonly name = 'ShardError';
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new ShardError(`--shard expects i/n (e.g. 2/8: the second of eight shards), got '${text}'`);
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1 || index < 1 || index > count) throw new ShardError(`--shard ${text}: shards are numbered 1..n, so i must be between 1 and ${Math.max(count, 1)}`);
  return { index, count };
}

export function inShard(pointIndex: number, shard: Shard): boolean {
  return pointIndex % shard.count === shard.index - 1;
}

export function describeShard(shard: Shard | null): string {
  return shard === null ? 'all points' : `shard ${shard.index}/${shard.count}`;
}
