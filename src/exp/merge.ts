import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, realpathSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TMP_SUFFIX } from './atomic.ts';
import { diffPaths } from './diff.ts';
import type { RunManifest } from './manifest.ts';
import { provenanceChanges } from './provenance.ts';
import { describeShard } from './shard.ts';
import { RunDir } from './store.ts';

export class MergeError extends Error {
  override readonly name = 'MergeError';
}

/**
 * Joins the results directories of shards of one config into `out`, which then holds every
 * unit (and gets a full report). Refuses directories of different configs (naming them and
 * where the configs differ), shards computed with different code or files, duplicates (one
 * directory twice, or two runs of the same shard), and a set of shards that leaves units
 * unfinished (naming them).
 */
export function mergeRuns(dirs: readonly string[], out: string, command = 'yarn exp'): RunDir {
  if (dirs.length === 0) throw new MergeError('give the results directories of the shards to merge');
  if (existsSync(join(out, 'run.json'))) throw new MergeError(`${out} already holds a run; merge writes a new directory: choose another --out`);
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
  refuseDuplicates(runs);
  refuseMixedVersions(runs);
  const hash = first.manifest.config_hash;
  const all = first.manifest.points.flatMap((p) => p.systems.map((s) => s.unit));
  const source = new Map<string, RunDir>();
  for (const r of runs) for (const u of r.dir.finished(r.manifest.units, hash)) if (!source.has(u)) source.set(u, r.dir);
  const missing = first.manifest.points.filter((p) => p.systems.some((s) => !source.has(s.unit)));
  if (missing.length > 0) {
    const given = runs.map((r) => `${r.path} (${describeShard(r.manifest.shard)})`).join(', ');
    throw new MergeError(`the shards leave ${missing.length} point(s) unfinished: ${missing.map((p) => p.id).slice(0, 12).join(', ')}${missing.length > 12 ? ', ...' : ''}; ${missingShards(runs, source, command)}given ${given}. Run or resume the missing shards first.`);
  }
  const manifest: RunManifest = { ...first.manifest, shard: null, units: all };
  const { run: merged, release } = RunDir.create(out, manifest, first.dir.resolvedText(), 'merge writes a new directory: choose another --out');
  try {
    for (const u of all) {
      const from = source.get(u)!;
      copyFileAtomic(from.requestFile(u), merged.requestFile(u));
      merged.saveUnit(from.readUnit(u, hash)!);
    }
    merged.log('merge', { from: runs.map((r) => ({ dir: r.path, shard: describeShard(r.manifest.shard) })), units: all.length });
  } finally {
    release();
  }
  return merged;
}

interface Run {
  readonly path: string;
  readonly dir: RunDir;
  readonly manifest: RunManifest;
}

/**
 * Which shards of an incomplete set are not there at all, and which are there but unfinished
 * (with the options that resume them), as the start of a sentence; '' when the runs are not shards.
 */
function missingShards(runs: readonly Run[], source: ReadonlyMap<string, RunDir>, command: string): string {
  const count = runs.find((r) => r.manifest.shard !== null)?.manifest.shard?.count;
  if (count === undefined) return '';
  const given = new Set(runs.map((r) => r.manifest.shard?.index));
  const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !given.has(i));
  const unfinished = runs.filter((r) => r.manifest.units.some((u) => source.get(u) === undefined));
  const parts = [
    ...(absent.length > 0 ? [`missing shard(s) ${absent.map((i) => `${i}/${count}`).join(', ')}`] : []),
    ...unfinished.map((r) => `${describeShard(r.manifest.shard)} in ${r.path} is unfinished (resume it: ${command} ${r.manifest.source} --shard ${r.manifest.shard?.index}/${count} --resume ${r.path})`),
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
 * The same directory given twice, or two directories answering for the same units (a shard
 * run twice, a whole run beside its shards): which copy would count is arbitrary, so refuse.
 */
function refuseDuplicates(runs: readonly Run[]): void {
  const byPath = new Map<string, string[]>();
  for (const r of runs) {
    const real = realpathSync(r.path);
    byPath.set(real, [...(byPath.get(real) ?? []), r.path]);
  }
  const lines = [...byPath.values()].filter((given) => given.length > 1).map((given) => `  ${given.join(' and ')}: the same directory, given ${given.length} times`);
  const distinct = runs.filter((r, i) => runs.findIndex((x) => realpathSync(x.path) === realpathSync(r.path)) === i);
  for (let i = 0; i < distinct.length; i++) {
    for (let j = i + 1; j < distinct.length; j++) {
      const [a, b] = [distinct[i]!, distinct[j]!];
      const theirs = new Set(b.manifest.units);
      const shared = a.manifest.units.filter((u) => theirs.has(u));
      if (shared.length > 0) lines.push(`  ${a.path} (${describeShard(a.manifest.shard)}) and ${b.path} (${describeShard(b.manifest.shard)}) both hold ${shared.length} unit(s) (${shared.slice(0, 4).join(', ')}${shared.length > 4 ? ', ...' : ''})`);
    }
  }
  if (lines.length > 0) throw new MergeError(`refusing to merge duplicates; give each shard once:\n${lines.join('\n')}`);
}

/** Shards computed with other code or files than the first (see provenance.ts). */
function refuseMixedVersions(runs: readonly Run[]): void {
  const first = runs[0]!;
  const lines = runs.slice(1).flatMap((r) => {
    const [a, b] = [first.manifest.provenance, r.manifest.provenance];
    const changes = a === undefined || b === undefined ? [] : provenanceChanges(a, b);
    return changes.length === 0 ? [] : [`  ${r.path} differs from ${first.path}:`, ...changes.map((c) => `    - ${c}`)];
  });
  if (lines.length > 0) throw new MergeError(`refusing to merge shards computed with different code or files (their report would mix versions):\n${lines.join('\n')}`);
}
