import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadExperiment } from '../src/exp/config/load.ts';
import { writeReport } from '../src/exp/report/index.ts';
import { runExperiment } from '../src/exp/runner.ts';
import { loadSearch, writeSearchReport } from '../src/exp/search/index.ts';
import { SlurmError, submitSlurm } from '../src/exp/slurm/submit.ts';

/**
 * `yarn exp submit --slurm` against a real Slurm (slurmctld + slurmd + munge on this machine,
 * started by scripts/slurm/start.sh; CI does that), and its refusals where Slurm is missing.
 */
const repo = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = 'test/fixtures/exp/slurm.yaml';
/** A search of five candidates (test/exp-search.test.ts uses it too). */
const SEARCH = 'test/fixtures/exp/search.yaml';
const root = mkdtempSync(join(tmpdir(), 'exp-slurm-'));
const conf = process.env.SLURM_CONF ?? '/tmp/shiftlab-slurm/slurm.conf';
const env = { ...process.env, SLURM_CONF: conf, FORCE_COLOR: '0' };
const START = 'apt-get install -y slurm-wlm munge && scripts/slurm/start.sh && export SLURM_CONF=/tmp/shiftlab-slurm/slurm.conf';

function exp(args: readonly string[], e: NodeJS.ProcessEnv = env): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/exp.ts', ...args], { cwd: repo, encoding: 'utf8', env: e });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sh(cmd: string, args: readonly string[]): { code: number | null; out: string } {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

/** Why the local cluster cannot be used, or null when it answers. */
function clusterMissing(): string | null {
  if (sh('sh', ['-c', 'command -v sbatch scontrol']).code !== 0) return 'Slurm is not installed';
  if (!existsSync(conf)) return `no Slurm config at ${conf}`;
  const ping = sh('scontrol', ['ping']);
  return ping.code === 0 && /\bUP\b/.test(ping.out) ? null : `scontrol ping: ${ping.out.trim().split('\n')[0]}`;
}

const slurmInstalled = (): boolean => sh('sh', ['-c', 'command -v sbatch scontrol']).code === 0;

/**
 * Registers a test that needs Slurm: without `need` met it is registered as skipped, naming why
 * and the command that sets it up; in CI (which starts the cluster, .ci/run) it fails instead.
 */
function slurmTest(name: string, need: 'installed' | 'cluster', fn: () => void | Promise<void>): void {
  const why = need === 'installed' ? (slurmInstalled() ? null : 'Slurm is not installed') : clusterMissing();
  if (why === null) return void slurm(name, fn);
  if (process.env.CI === 'true') return void slurm(name, () => assert.unreachable(`Slurm is not ready in CI (.ci/run starts it): ${why}`));
  console.warn(`${name}: skipped, ${why}; to run it: ${START}`);
  slurm.skip(`${name} (skipped: ${why})`, fn);
}

/** Every file under `dir`, relative, sorted. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).sort();
}

/** A job's state from the controller (kept there for minutes after it ends). */
function jobStates(id: string): string[] {
  return [...sh('scontrol', ['show', 'job', id]).out.matchAll(/JobState=(\w+)/g)].map((m) => m[1]!);
}

/** Waits for the merge job to complete; fails with the logs when a job fails or time runs out. */
async function waitForJobs(out: string, arrayJob: string, mergeJob: string): Promise<void> {
  const logs = (): string => readdirSync(join(out, 'slurm', 'logs')).map((f) => `--- ${f}\n${readFileSync(join(out, 'slurm', 'logs', f), 'utf8')}`).join('\n');
  const deadline = Date.now() + 110_000;
  for (;;) {
    const [merge, tasks] = [jobStates(mergeJob), jobStates(arrayJob)];
    if (merge[0] === 'COMPLETED') break;
    const bad = [...merge, ...tasks].find((s) => /FAIL|CANCEL|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY/.test(s));
    if (bad !== undefined || Date.now() > deadline) {
      sh('scancel', [arrayJob, mergeJob]);
      assert.unreachable(`jobs ${arrayJob} (${tasks.join(' ')}) and ${mergeJob} (${merge.join(' ')}) did not complete:\n${logs()}`);
    }
    await new Promise((done) => setTimeout(done, 1000));
  }
}

const slurm = suite('yarn exp submit --slurm');

slurm('--dry-run writes an array script of one shard per task and a merge script, and submits nothing (no Slurm needed)', async () => {
  const out = join(root, 'dry');
  const s = submitSlurm(await loadExperiment(CONFIG), { config: CONFIG, shards: 4, partition: 'batch', time: '0:10:00', dryRun: true, out, env: { PATH: root } });
  assert.equal([s.arrayJob, s.mergeJob], [undefined, undefined]);
  const array = readFileSync(join(out, 'slurm', 'array.sbatch'), 'utf8');
  for (const line of ['#SBATCH --array=1-4', '#SBATCH --partition=batch', '#SBATCH --time=0:10:00', `cd ${repo.replace(/\/$/, '')}`, '--shard "$i/4"', `${CONFIG} --shard`]) assert.ok(array.includes(line), `array.sbatch lacks ${line}`);
  const merge = readFileSync(join(out, 'slurm', 'merge.sbatch'), 'utf8');
  assert.ok(merge.includes(`merge ${[1, 2, 3, 4].map((i) => join(out, `shard-${i}of4`)).join(' ')} --out ${join(out, 'merged')}`), merge);
  for (const f of ['array.sbatch', 'merge.sbatch']) assert.is(spawnSync('bash', ['-n', join(out, 'slurm', f)]).status, 0, `${f} is not valid bash`);
});

slurm('Slurm not installed: a message saying how to install it, and nothing written', () => {
  const out = join(root, 'not-installed');
  const r = exp(['submit', CONFIG, '--slurm', '--out', out], { ...env, PATH: root });
  assert.is(r.code, 2);
  assert.match(r.stderr, /Slurm is not installed here: 'sbatch' is not on PATH; install Slurm's client commands .*--dry-run/);
  assert.not.ok(existsSync(out));
});

slurmTest('Slurm not reachable (no controller at the configured address): a clear message, and nothing written', 'installed', async () => {
  const dead = join(root, 'dead.conf');
  writeFileSync(dead, `ClusterName=dead\nSlurmctldHost=${hostname()}(127.0.0.1)\nSlurmctldPort=1\nNodeName=${hostname()} CPUs=1 State=UNKNOWN\nPartitionName=p Nodes=ALL Default=YES\n`);
  const out = join(root, 'unreachable');
  const r = exp(['submit', CONFIG, '--slurm', '--out', out], { ...env, SLURM_CONF: dead });
  assert.is(r.code, 2);
  assert.match(r.stderr, /the Slurm controller is not reachable \(scontrol ping: Slurmctld\(primary\) at \S+ is DOWN\); check that slurmctld runs/);
  assert.ok(r.stderr.includes(`SLURM_CONF is ${dead}`));
  assert.not.ok(existsSync(out));
  const e = await loadExperiment(CONFIG);
  assert.throws(() => submitSlurm(e, { out, env: { ...env, SLURM_CONF: join(root, 'nowhere.conf') } }), (x: Error) => x instanceof SlurmError && /SLURM_CONF names .*nowhere\.conf, which does not exist/.test(x.message));
  assert.not.ok(existsSync(out));
});

slurmTest('4 array tasks and the merge job on the local cluster equal one process, byte for byte (run.log aside); a task resubmitted alone resumes', 'cluster', async () => {
  const out = join(root, 'cluster');
  const r = exp(['submit', CONFIG, '--slurm', '--shards', '4', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  const [, arrayJob, mergeJob] = /array job (\d+) and the merge as job (\d+)/.exec(r.stdout) ?? [];
  assert.ok(arrayJob && mergeJob, r.stdout);
  await waitForJobs(out, arrayJob!, mergeJob!);
  assert.equal(readdirSync(out).sort(), ['merged', 'shard-1of4', 'shard-2of4', 'shard-3of4', 'shard-4of4', 'slurm']);

  // The same config in one process, from the same directory and with the same path.
  const one = join(root, 'one');
  const run = await runExperiment(await loadExperiment(CONFIG), { out: one, jobs: 1 });
  await writeReport(run.dir);
  const merged = join(out, 'merged');
  const [a, b] = [files(merged), files(one)].map((l) => l.filter((f) => f !== 'run.log'));
  assert.equal(a, b);
  assert.ok(a.includes('requests.csv') && a.includes('results.json') && a.some((f) => f.endsWith('.requests.csv')));
  for (const f of a) assert.ok(readFileSync(join(merged, f)).equals(readFileSync(join(one, f))), `${relative(root, join(merged, f))} differs from the one-process run`);

  // Shard 2 again, alone, as after a failure: it resumes, reusing its finished units.
  const units = join(out, 'shard-2of4', 'units');
  const before = files(units).map((f) => statSync(join(units, f)).mtimeMs);
  const again = sh('sbatch', ['--wait', '--array=2', join(out, 'slurm', 'array.sbatch')]);
  assert.is(again.code, 0, again.out);
  assert.match(readFileSync(join(out, 'slurm', 'logs', 'shard-2-of-4.log'), 'utf8'), /done in [\d.]+ s \(0 unit\(s\) run, 2 reused\)/);
  assert.equal(files(units).map((f) => statSync(join(units, f)).mtimeMs), before);
});

slurm('a search is refused the same way when Slurm is missing: a clear message, nothing written', () => {
  const out = join(root, 'search-not-installed');
  const r = exp(['submit', SEARCH, '--slurm', '--out', out], { ...env, PATH: root });
  assert.is(r.code, 2);
  assert.match(r.stderr, /Slurm is not installed here: 'sbatch' is not on PATH/);
  assert.not.ok(existsSync(out));
});

slurmTest('a search is refused the same way when Slurm is unreachable: a clear message, nothing written', 'installed', () => {
  const out = join(root, 'search-unreachable');
  const dead = join(root, 'dead-search.conf');
  writeFileSync(dead, `ClusterName=dead\nSlurmctldHost=${hostname()}(127.0.0.1)\nSlurmctldPort=1\nNodeName=${hostname()} CPUs=1 State=UNKNOWN\nPartitionName=p Nodes=ALL Default=YES\n`);
  const u = exp(['submit', SEARCH, '--slurm', '--out', out], { ...env, SLURM_CONF: dead });
  assert.is(u.code, 2);
  assert.match(u.stderr, /the Slurm controller is not reachable/);
  assert.not.ok(existsSync(out));
});

slurmTest('a search sharded over 4 array tasks and merged equals the one-process search, byte for byte (run.log aside)', 'cluster', async () => {
  const out = join(root, 'search-cluster');
  const r = exp(['submit', SEARCH, '--slurm', '--shards', '4', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  const [, arrayJob, mergeJob] = /array job (\d+) and the merge as job (\d+)/.exec(r.stdout) ?? [];
  assert.ok(arrayJob && mergeJob, r.stdout);
  await waitForJobs(out, arrayJob!, mergeJob!);
  const one = join(root, 'search-one');
  const run = await runExperiment(await loadSearch(SEARCH), { out: one, jobs: 1 });
  await writeSearchReport(run.dir);
  const merged = join(out, 'merged');
  const [a, b] = [files(merged), files(one)].map((l) => l.filter((f) => f !== 'run.log'));
  assert.equal(a, b);
  for (const f of ['search.json', 'summary.md', 'winner.yaml', 'plots/pareto.svg', 'run.json']) assert.ok(a.includes(f), `the merged search lacks ${f}`);
  for (const f of a) assert.ok(readFileSync(join(merged, f)).equals(readFileSync(join(one, f))), `${relative(root, join(merged, f))} differs from the one-process search`);
});

slurm.run();
