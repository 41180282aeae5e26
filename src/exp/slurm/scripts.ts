import { join } from 'node:path';

/**
 * The two batch scripts of a Slurm submission (see submit.ts):
 *
 *   <root>/slurm/array.sbatch   a job array, task i of n runs `yarn exp <config> --shard i/n`
 *                               into <root>/shard-<i>of<n>/ (resuming it when it exists, so a
 *                               failed task is resubmitted alone with `sbatch --array=i`)
 *   <root>/slurm/merge.sbatch   `yarn exp merge` of the n shard directories into <root>/merged/,
 *                               submitted with --dependency=afterok:<array job>
 *   <root>/slurm/logs/          one log per task and one for the merge
 *
 * Every task changes to the directory the submission was made from, so the config path (and
 * every path in the config) means there what it meant at submission; the results directories
 * must be on a file system the compute nodes share.
 */
export interface SlurmPlan {
  /** The experiment's name (job names). */
  readonly name: string;
  /** The config file as given on the command line (relative to `cwd`). */
  readonly config: string;
  /** Absolute directory the tasks run in. */
  readonly cwd: string;
  /** Absolute root of this submission's files. */
  readonly root: string;
  readonly shards: number;
  /** CPUs per array task, also its worker threads (`yarn exp --jobs`). */
  readonly cpusPerTask: number;
  readonly partition?: string;
  /** Slurm's time limit per task, e.g. 2:00:00. */
  readonly time?: string;
  /** Absolute trace directory passed as `--traces`. */
  readonly traces?: string;
  /** How `yarn exp` runs here, e.g. [node, --import, <tsx>, <repo>/src/cli/exp.ts]. */
  readonly command: readonly string[];
}

export const slurmDir = (root: string): string => join(root, 'slurm');
export const shardDir = (root: string, index: number, count: number): string => join(root, `shard-${index}of${count}`);
export const mergedDir = (root: string): string => join(root, 'merged');

/** A word for bash: single-quoted, with single quotes escaped. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function header(p: SlurmPlan, lines: readonly string[]): string {
  const options = [
    ...lines,
    ...(p.partition === undefined ? [] : [`--partition=${p.partition}`]),
    ...(p.time === undefined ? [] : [`--time=${p.time}`]),
  ];
  return ['#!/bin/bash', ...options.map((o) => `#SBATCH ${o}`), 'set -euo pipefail', `cd ${shellQuote(p.cwd)}`].join('\n');
}

export function arrayScript(p: SlurmPlan): string {
  const n = p.shards;
  const run = [...p.command, p.config].map(shellQuote).join(' ');
  const traces = p.traces === undefined ? '' : ` --traces ${shellQuote(p.traces)}`;
  return `${header(p, [
    `--job-name=${shellQuote(`exp-${p.name}`)}`,
    `--array=1-${n}`,
    `--cpus-per-task=${p.cpusPerTask}`,
    `--output=${shellQuote(join(slurmDir(p.root), 'logs', `shard-%a-of-${n}.log`))}`,
  ])}
# Task i runs shard i/${n}; a shard directory that exists is resumed (finished units are kept).
i=$SLURM_ARRAY_TASK_ID
dir=${shellQuote(p.root)}/shard-\${i}of${n}
if [ -f "$dir/run.json" ]; then where=(--resume "$dir"); else where=(--out "$dir"); fi
exec ${run} --shard "$i/${n}" "\${where[@]}" --jobs ${p.cpusPerTask}${traces}
`;
}

export function mergeScript(p: SlurmPlan): string {
  const dirs = Array.from({ length: p.shards }, (_, k) => shardDir(p.root, k + 1, p.shards));
  const run = [...p.command, 'merge', ...dirs, '--out', mergedDir(p.root)].map(shellQuote).join(' ');
  return `${header(p, [
    `--job-name=${shellQuote(`exp-${p.name}-merge`)}`,
    '--cpus-per-task=1',
    `--output=${shellQuote(join(slurmDir(p.root), 'logs', 'merge.log'))}`,
  ])}
# Joins the ${p.shards} shards (refusing an incomplete set, naming the missing shards).
exec ${run}
`;
}
