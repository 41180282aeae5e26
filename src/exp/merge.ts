import { randomBytes } from 'node:crypto';
import { copyFileSync, renameSync } from 'node:fs';
import { parse } from 'yaml';
import { TMP_SUFFIX } from './atomic.ts';
import { diffPaths } from './diff.ts';
import type { RunManifest } from './manifest.ts';
import { describeShard } from './shard.ts';
import { RunDir } from './store.ts';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/**
 * Which shards of an incomplete set are not there at all, and which are there but unfinished
 * (with the command that resumes them), as the start of a sentence; '' when the runs are not shards.
 */
function missingShards(runs: readonly { path: string; dir: RunDir; manifest: RunManifest }[], source: ReadonlyMap<string, RunDir>): string {
  const count = runs.find((r) => r.manifest.shard !== null)?.manifest.shard?.count;
  if (count === undefined) return '';
  const given = new Set(runs.map((r) => r.manifest.shard?.index));
  const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !given.has(i));
  const unfinished = runs.filter((r) => r.manifest.units.some((u) => source.get(u) === undefined));
  const parts = [
    ...(absent.length > 0 ? [`missing shard(s) ${absent.map((i) => `${i}/${count}`).join(', ')}`] : []),
    ...unfinished.map((r) => `${describeShard(r.manifest.shard)} in ${r.path} is unfinished (resume it: yarn exp ${r.manifest.source} --shard ${r.manifest.shard?.index}/${count} --resume ${r.path})`),
  ];
  return parts.length > 0 ? `${parts.join('; ')}; ` : '';
}

/** Copies a file so that the target appears whole or not at all. */
function copyFileAtomic(from: string, to: string): void {
  const tmp = `${to}.${randomBytes(4).toString('hex')}${TMP_SUFFIX}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
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
    throw new MergeError(`the shards leave ${missing.length} point(s) unfinished: ${missing.map((p) => p.id).slice(0, 12).join(', ')}${missing.length > 12 ? ', ...' : ''}; ${missingShards(runs, source)}given ${given}. Run or resume the missing shards first.`);
  }
  const manifest: RunManifest = { ...first.manifest, shard: null, units: all };
  const merged = RunDir.create(out, manifest, first.dir.resolvedText());
  for (const u of all) {
    const from = source.get(u)!;
    copyFileAtomic(from.requestFile(u), merged.requestFile(u));
    merged.saveUnit(from.readUnit(u, hash)!);
  }
  merged.log('merge', { from: runs.map((r) => ({ dir: r.path, shard: describeShard(r.manifest.shard) })), units: all.length });
  return merged;
}
