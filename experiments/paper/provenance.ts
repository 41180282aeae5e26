import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { StudyError } from './run.ts';

/**
 * Where a study came from: date, commit and wall time of the `yarn paper` run, stored as
 * study.json in the study directory so that `--from` can rewrite the README with the run's own
 * provenance.
 */
const runInfoSchema = z.object({ date: z.string(), commit: z.string(), wall_s: z.number(), cores: z.number().int().positive() });
export type RunInfo = z.output<typeof runInfoSchema>;

/** The short commit, with "+ uncommitted changes" when the work tree differs from it. */
export function currentCommit(cwd: string): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain').length > 0 ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (not a git work tree)';
  }
}

export function writeRunInfo(dir: string, info: RunInfo): void {
  writeFileSync(join(dir, 'study.json'), `${JSON.stringify(info, null, 2)}\n`);
}

export function readRunInfo(dir: string): RunInfo {
  const file = join(dir, 'study.json');
  if (!existsSync(file)) throw new StudyError(`${file} is missing: ${dir} is not a finished study of \`yarn paper\``);
  const r = runInfoSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new StudyError(`${file}: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
  return r.data;
}
