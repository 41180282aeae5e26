import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadExperiment } from '../src/exp/config/load.ts';
import { DirLockedError, LOCK_FILE, lockDir, lockHolder, processAlive } from '../src/exp/lock.ts';
import { runExperiment } from '../src/exp/runner.ts';
import { RunDir } from '../src/exp/store.ts';
import { expInProcess } from './helpers/exp-cli.ts';

/**
 * One writer per results directory, and no process outliving the one the user kills: a
 * `--resume` started while a run still writes is refused naming its pid; a lock left by a
 * killed run is taken over; `kill -9` of the command's process ends the whole run.
 */
const repo = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'exp-lock-'));
const tiny = fileURLToPath(new URL('./fixtures/exp/tiny.yaml', import.meta.url));
let n = 0;
const fresh = (): string => join(tmp, `r${n++}`);

/** The pid of a process that has exited (so certainly not running). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  assert.not.ok(processAlive(pid));
  return pid;
}

const lock = suite('the lock of a results directory');

lock('a second run on a directory being written is refused, naming the pid; the first is unharmed', async () => {
  const e = await loadExperiment(tiny);
  const out = fresh();
  let second: Promise<unknown> | undefined;
  const first = await runExperiment(e, {
    out,
    jobs: 1,
    // While the first run writes (its first unit just saved), a resume of the same directory.
    onUnitSaved: () => {
      second ??= runExperiment(e, { resume: out, jobs: 1 }).then(
        () => 'resumed',
        (err: Error) => err,
      );
    },
  });
  const refused = await second;
  assert.ok(refused instanceof DirLockedError, String(refused));
  assert.match((refused as Error).message, `is being written by process ${process.pid}`);
  assert.equal(first.failed, []);
  assert.is(first.ran.length, 9);
  assert.not.ok(existsSync(join(out, LOCK_FILE)), 'the lock outlived the run');
});

lock('a stale lock (its process is dead) is taken over, with a note', async () => {
  const e = await loadExperiment(tiny);
  const out = fresh();
  const stop = new AbortController();
  await runExperiment(e, { out, jobs: 1, signal: stop.signal, onUnitSaved: () => stop.abort() });
  const pid = deadPid();
  writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z', command: 'exp tiny.yaml' }));
  const notes: string[] = [];
  const o = await runExperiment(e, { resume: out, jobs: 1, onNote: (m) => notes.push(m) });
  assert.equal(o.failed, []);
  assert.ok(notes.some((m) => m.includes(`taking over the lock of process ${pid}, which is no longer running`)), notes.join('\n'));
  assert.ok(new RunDir(out).events().some((ev) => ev.event === 'lock-taken-over'));
});

lock('a lock held on another host is never taken over (its pid means nothing here)', () => {
  const dir = fresh();
  spawnSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: 'node-017', since: '2026-01-01T00:00:00Z', command: 'exp x.yaml' }));
  assert.throws(() => lockDir(dir), (e: Error) => e instanceof DirLockedError && /locked by process \d+ on host node-017/.test(e.message) && e.message.includes(`delete ${join(dir, LOCK_FILE)}`));
});

lock('the CLI refuses a locked directory with exit code 2 and writes nothing', async () => {
  const out = fresh();
  const first = await expInProcess([tiny, '--out', out, '--jobs', '1']);
  assert.is(first.code, 0, first.stderr);
  const release = lockDir(out);
  try {
    const before = readdirSync(join(out, 'units')).length;
    const r = await expInProcess([tiny, '--resume', out, '--jobs', '1']);
    assert.is(r.code, 2);
    assert.match(r.stderr, `error: ${out} is being written by process ${process.pid}`);
    assert.is(readdirSync(join(out, 'units')).length, before);
  } finally {
    release();
  }
  assert.is(lockHolder(out), undefined);
});

const kill = suite('kill -9 of the command ends the run');

/** Processes whose parent is `pid` (Linux /proc). */
function children(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return Number(readFileSync(`/proc/${d}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

(process.platform === 'linux' ? kill : kill.skip)('the package.json script runs the sweep in the process it starts: killing it leaves nothing running', async () => {
  const script = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.exp!;
  const out = fresh();
  // The script as npm runs it (sh -c, node_modules/.bin on PATH), on a sweep long enough to kill mid-way.
  const child = spawn('sh', ['-c', `exec ${script} configs/smoke.yaml --out ${out} --jobs 2`], { cwd: repo, env: { ...process.env, PATH: `${join(repo, 'node_modules/.bin')}:${process.env.PATH}` }, stdio: 'ignore' });
  const pid = child.pid!;
  const exited = new Promise((r) => child.on('exit', r));
  let spawned: number[] = [];
  // However the checks end, nothing this test started outlives it (a live child would keep the
  // test process from exiting after a failure).
  try {
    for (let t = 0; t < 400 && !existsSync(join(out, 'run.log')); t++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(join(out, 'run.log')), 'the run did not start');
    spawned = children(pid);
  } finally {
    process.kill(pid, 'SIGKILL');
    await exited;
  }
  await new Promise((r) => setTimeout(r, 300));
  const alive = spawned.filter(processAlive);
  for (const p of alive) process.kill(p, 'SIGKILL');
  assert.equal(alive, [], `processes started by '${script}' outlived it`);
  // Its lock is stale now: a resume takes it over and finishes the run.
  const r = await expInProcess(['configs/smoke.yaml', '--resume', out, '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: .*taking over the lock of process \d+, which is no longer running/);
});

lock.run();
kill.run();
