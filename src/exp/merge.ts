import { parse } from 'yaml';
import { diffPaths } from './diff.ts';
import type { RunManifest } from './manifest.ts';
import { describeShard } from './shard.ts';
import { RunDir } from './store.ts';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/**
 * Joins the results directories of shards of one config into `out`, which then holds every
 * unit (and gets a full report). Refuses directories of different configs (naming them and
 * where the configs differ) and a set of shards that leaves units unfinished (naming them).
 */
export function mergeRuns(dirs: readonly string[], out: string): RunDir {
  if (dirs.length === 0) throw new MergeError('give the results directories of the shards to merge');
  const runs = dirs.map((d) => ({ path: d, dir: RunDir.open(d) })).map((r) => ({ ...r, manifest: r.dir.manifest() }));
  const first = runs[0]!;
  const others = runs.filter((r) => r.manifest.config_hash !== first.manifest.config_hash);
  if (others.length > 0) {
    const lines = others.map((r) => {
      const diff = diffPaths(parse(first.dir.resolvedText()), parse(r.dir.resolvedText()));
      return `  ${r.path} (${r.manifest.name}, config hash ${r.manifest.config_hash}) differs from ${first.path} (${first.manifest.name}, ${first.manifest.config_hash}) at ${diff.join(', ') || 'unknown keys'}`;
    });
    throw new MergeError(`refusing to merge shards of different configs:\n${lines.join('\n')}`);
  }
  const hash = first.manifest.config_hash;
  const all = first.manifest.points.flatMap((p) => p.systems.map((s) => s.unit));
  const source = new Map<string, RunDir>();
  for (const r of runs) for (const u of r.dir.finished(r.manifest.units, hash)) if (!source.has(u)) source.set(u, r.dir);
  const missing = first.manifest.points.filter((p) => p.systems.some((s) => !source.has(s.unit)));
  if (missing.length > 0) {
    const given = runs.map((r) => `${r.path} (${describeShard(r.manifest.shard)})`).join(', ');
    throw new MergeError(`the shards leave ${missing.length} point(s) unfinished: ${missing.map((p) => p.id).slice(0, 12).join(', ')}${missing.length > 12 ? ', ...' : ''}; given ${given}. Run or resume the missing shards first.`);
  }
  const manifest: RunManifest = { ...first.manifest, shard: null, units: all };
  const merged = RunDir.create(out, manifest, first.dir.resolvedText());
  for (const u of all) merged.saveUnit(source.get(u)!.readUnit(u, hash)!);
  merged.log('merge', { from: runs.map((r) => ({ dir: r.path, shard: describeShard(r.manifest.shard) })), units: all.length });
  return merged;
}
