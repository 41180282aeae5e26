import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import { Rng } from '../src/util/rng.ts';
import { STACK_LINE, expInProcess } from './helpers/exp-cli.ts';

/**
 * Broken input, generated from a seed: configs with bad values, typos, missing keys, YAML
 * syntax errors, policies that do not load, trace files with bad rows, and bad arguments.
 * Every case must exit with code 2 and print nothing but an error naming the file, line and
 * column and the key path at fault (for a trace row: the trace file and its line too), with no
 * stack trace, and must leave no results directory behind.
 */
const SEED = 'exp-fuzz-1';
const dir = mkdtempSync(join(tmpdir(), 'exp-fuzz-'));

// A user policy declaring its params (the function form works from any folder).
writeFileSync(join(dir, 'mine.ts'), `export const params = (z: any) => z.object({ threshold: z.number().int().default(256) });
export default (p: { threshold: number }) => ({ name: 'mine', decide: (s: { totalTokens: number }) => (s.totalTokens <= p.threshold ? 'tp' : 'sp') });
`);

/** Azure-format rows, one second apart. */
const traceRows = (n: number): string[] => Array.from({ length: n }, (_, i) => `2023-11-16 18:15:${String(10 + i).padStart(2, '0')}.0000000,${100 + 10 * i},${4 + i}`);
const TRACE_HEAD = 'TIMESTAMP,ContextTokens,GeneratedTokens';
writeFileSync(join(dir, 'trace.csv'), [TRACE_HEAD, ...traceRows(8), ''].join('\n'));

const BASE = `name: fuzz
model: llama-3.1-8b
engine: { max_num_seqs: 64, block_size: 16 }
systems:
  - { name: TP, strategy: tp, world: 2 }
  - { name: Shift, strategy: shift, world: 2, policy: { name: threshold, threshold: 256 } }
  - { name: Mine, strategy: shift, world: 2, policy: { module: ./mine.ts, params: { threshold: 128 } } }
workloads:
  - name: syn
    synthetic:
      arrivals: { kind: poisson, rate: '\${rate}' }
      lengths: { kind: uniform, input: [32, 256], output: [2, 8] }
      count: 4
  - { name: tr, trace: ./trace.csv }
sweep: { rate: [2, 4] }
slo: { ttft_ms: 500, tpot_ms: 50 }
report: { timeline_bins: 50 }
`;

type Obj = Record<string, unknown>;
type Path = (string | number)[];

/** A broken variant: the config text, the trace text, and the key paths the error must name. */
interface Case {
  readonly what: string;
  readonly yaml: string;
  readonly trace?: string;
  /** Key paths (as printed: `systems[1].world`) each on some error line; [] for a syntax error. */
  readonly paths: readonly string[];
  /** Further text the message must hold. */
  readonly says?: RegExp;
}

const keyPath = (p: Path): string => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

function at(o: Obj, p: Path): Obj {
  return p.reduce<Obj>((x, k) => x[k as string] as Obj, o);
}

function edit(p: Path, f: (parent: Obj, key: string | number) => void): (o: Obj) => void {
  return (o) => f(at(o, p.slice(0, -1)), p.at(-1)!);
}

const BAD_VALUES: readonly unknown[] = [Infinity, -Infinity, NaN, 'lots', -5, [1, 2], { a: 1 }, null];

/** Mutations the schema catches; each site is its own subtree, so several combine. */
const SCHEMA_SITES: readonly { readonly path: Path; readonly kinds: readonly ((rng: Rng) => { apply: (o: Obj) => void; path: Path; says?: RegExp })[] }[] = [
  ...(
    [
      ['engine', 'max_num_seqs'],
      ['engine', 'block_size'],
      ['systems', 0, 'world'],
      ['workloads', 0, 'synthetic', 'count'],
      ['workloads', 0, 'synthetic', 'lengths', 'input'],
      ['slo', 'ttft_ms'],
      ['report', 'timeline_bins'],
    ] as Path[]
  ).map((path) => ({
    path,
    kinds: [
      (rng: Rng) => {
        const v = rng.pick(BAD_VALUES);
        const says = typeof v === 'number' && !Number.isFinite(v) ? /got -?\.(inf|nan)/ : undefined;
        return { apply: edit(path, (o, k) => void ((o as Record<string | number, unknown>)[k] = v)), path, ...(says ? { says } : {}) };
      },
    ],
  })),
  { path: ['modle'], kinds: [() => ({ apply: (o: Obj) => void (o.modle = 'tiny'), path: ['modle'], says: /did you mean 'model'/ })] },
  { path: ['engine', 'max_num_seq'], kinds: [() => ({ apply: (o: Obj) => void ((o.engine as Obj).max_num_seq = 8), path: ['engine', 'max_num_seq'], says: /did you mean 'max_num_seqs'/ })] },
  { path: ['systems', 0, 'strategy'], kinds: [() => ({ apply: edit(['systems', 0, 'strategy'], (o) => void (o.strategy = 'tpp')), path: ['systems', 0, 'strategy'], says: /did you mean 'tp'/ })] },
  { path: ['systems', 1, 'name'], kinds: [() => ({ apply: edit(['systems', 1, 'name'], (o) => void delete o.name), path: ['systems', 1, 'name'], says: /missing/ })] },
  // `params: 5` on a module policy: about params, not a missing name of a built-in one.
  { path: ['systems', 2, 'policy'], kinds: [() => ({ apply: edit(['systems', 2, 'policy'], (o) => void ((o.policy as Obj).params = 5)), path: ['systems', 2, 'policy', 'params'], says: /expected a mapping, got number 5/ })] },
  { path: ['workloads', 0, 'synthetic', 'arrivals', 'kind'], kinds: [() => ({ apply: edit(['workloads', 0, 'synthetic', 'arrivals'], (o) => void ((o.arrivals as Obj).kind = 'poison')), path: ['workloads', 0, 'synthetic', 'arrivals', 'kind'], says: /did you mean 'poisson'/ })] },
  { path: ['workloads', 0, 'synthetic', 'lengths', 'output'], kinds: [() => ({ apply: edit(['workloads', 0, 'synthetic', 'lengths'], (o) => void delete (o.lengths as Obj).output), path: ['workloads', 0, 'synthetic', 'lengths', 'output'] })] },
  { path: ['workloads', 0, 'synthetic', 'arrivals', 'rate'], kinds: [() => ({ apply: edit(['workloads', 0, 'synthetic', 'arrivals'], (o) => void ((o.arrivals as Obj).rate = '${rte}')), path: ['workloads', 0, 'synthetic', 'arrivals', 'rate'], says: /unknown variable \$\{rte\}; did you mean 'rate'/ })] },
  { path: ['workloads', 1, 'max_request'], kinds: [() => ({ apply: (o: Obj) => void (((o.workloads as Obj[])[1] as Obj).max_request = 3), path: ['workloads', 1, 'max_request'], says: /did you mean 'max_requests'/ })] },
  { path: ['sweep', 'unused'], kinds: [() => ({ apply: (o: Obj) => void ((o.sweep as Obj).unused = [1, 2]), path: ['sweep', 'unused'], says: /not used/ })] },
];

/** Problems found when resolving a valid-looking config (policies, parallel layout, files): one at a time. */
const RESOLVE: readonly { what: string; apply: (o: Obj) => void; path: Path; says: RegExp }[] = [
  { what: 'a built-in policy param of the wrong type', apply: edit(['systems', 1, 'policy'], (o) => void ((o.policy as Obj).threshold = 'lots')), path: ['systems', 1, 'policy'], says: /threshold/ },
  { what: 'an unknown policy', apply: edit(['systems', 1, 'policy'], (o) => void ((o.policy as Obj).name = 'treshold')), path: ['systems', 1, 'policy'], says: /unknown policy 'treshold'/ },
  { what: "a typo in a user policy's params", apply: edit(['systems', 2, 'policy'], (o) => void ((o.policy as Obj).params = { treshold: 128 })), path: ['systems', 2, 'policy', 'params', 'treshold'], says: /did you mean 'threshold'/ },
  { what: 'a user policy that is not there', apply: edit(['systems', 2, 'policy'], (o) => void ((o.policy as Obj).module = './missing.ts')), path: ['systems', 2, 'policy'], says: /missing\.ts .*failed to load/ },
  { what: 'a world the model cannot be split over', apply: edit(['systems', 0, 'world'], (o) => void (o.world = 3)), path: ['systems', 0], says: /3/ },
  { what: 'a policy on a TP system', apply: edit(['systems', 0, 'policy'], (o) => void (o.policy = 'threshold')), path: ['systems', 0, 'policy'], says: /only shift systems/ },
  { what: 'an unknown hardware profile', apply: (o) => void (o.hardware = 'h300'), path: ['hardware'], says: /h300/ },
  { what: 'a trace file that is not there', apply: edit(['workloads', 1, 'trace'], (o) => void (o.trace = './nope.csv')), path: ['workloads', 1, 'trace'], says: /nope\.csv/ },
];

/** YAML that does not parse. */
const SYNTAX: readonly { what: string; edit: (text: string) => string; says: RegExp }[] = [
  { what: 'a placeholder unquoted inside { }', edit: (t) => t.replace("rate: '${rate}'", 'rate: ${rate}'), says: /hint: the placeholder \$\{rate\} stands unquoted inside \{ \} or \[ \].*quote it/ },
  { what: 'a duplicate key', edit: (t) => t.replace('model: llama-3.1-8b\n', 'model: llama-3.1-8b\nmodel: tiny\n'), says: /YAML syntax: Map keys must be unique/ },
  { what: 'a tab for indentation', edit: (t) => t.replace('    synthetic:', '\tsynthetic:'), says: /YAML syntax/ },
  { what: 'an unclosed flow mapping', edit: (t) => t.replace('block_size: 16 }', 'block_size: 16'), says: /YAML syntax/ },
];

/** Bad rows of the trace; `line` is the 1-based file line broken. */
const ROW_BREAKS: readonly { what: string; row: (good: string, prev: string) => string; says: RegExp; hint: boolean }[] = [
  { what: 'a token count that is not a number', row: (g) => g.replace(/,(\d+),/, ',abc,'), says: /ContextTokens is "abc"/, hint: true },
  { what: 'a negative token count', row: (g) => g.replace(/,(\d+)$/, ',-7'), says: /GeneratedTokens/, hint: true },
  { what: 'an empty field', row: (g) => g.replace(/,(\d+),/, ',,'), says: /ContextTokens is ""/, hint: true },
  { what: 'a missing column', row: (g) => g.replace(/,\d+$/, ''), says: /row has 2 field\(s\).*missing column/, hint: true },
  { what: 'a timestamp going backwards', row: (_, prev) => prev.replace(/:(\d\d)\.0/, (_m, s: string) => `:${String(Number(s) - 5).padStart(2, '0')}.0`), says: /timestamp goes backwards/, hint: true },
  { what: 'a line of garbage', row: () => 'hello, world', says: /./, hint: true },
];

function generate(rng: Rng): Case[] {
  const cases: Case[] = [];
  const base = (): Obj => parse(BASE) as Obj;
  for (let k = 0; k < 24; k++) {
    const o = base();
    const sites = [...SCHEMA_SITES];
    const picked: { path: Path; says?: RegExp }[] = [];
    for (let m = rng.int(1, 4); m > 0 && sites.length > 0; m--) {
      const site = sites.splice(rng.int(0, sites.length), 1)[0]!;
      const mutation = rng.pick(site.kinds)(rng);
      mutation.apply(o);
      picked.push(mutation);
    }
    cases.push({ what: `schema: ${picked.map((p) => keyPath(p.path)).join(', ')}`, yaml: stringify(o), paths: picked.map((p) => keyPath(p.path)), ...(picked.length === 1 && picked[0]!.says ? { says: picked[0]!.says } : {}) });
  }
  for (const r of RESOLVE) {
    const o = base();
    r.apply(o);
    cases.push({ what: `resolve: ${r.what}`, yaml: stringify(o), paths: [keyPath(r.path)], says: r.says });
  }
  for (const s of SYNTAX) cases.push({ what: `syntax: ${s.what}`, yaml: s.edit(BASE), paths: [], says: s.says });
  for (let k = 0; k < 12; k++) {
    const b = rng.pick(ROW_BREAKS);
    const rows = traceRows(8);
    const i = rng.int(1, rows.length); // not the first row: 'backwards' needs one before it
    rows[i] = b.row(rows[i]!, rows[i - 1]!);
    const line = i + 2; // the header is line 1
    const says = new RegExp(`trace\\.csv:${line}: ${b.says.source}${b.hint ? '.*skip_bad_rows: true on this workload' : ''}`);
    cases.push({ what: `trace row ${line}: ${b.what}`, yaml: BASE, trace: [TRACE_HEAD, ...rows, ''].join('\n'), paths: ['workloads[1].trace'], says });
  }
  return cases;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const fuzz = suite(`broken input, seeded (${SEED}): exit 2, file:line:key, no stack, nothing written`);

fuzz('the unbroken config is valid (the mutations below are what breaks it)', async () => {
  writeFileSync(join(dir, 'base.yaml'), BASE);
  const r = await expInProcess([join(dir, 'base.yaml'), '--dry-run']);
  assert.is(r.code, 0, r.stderr);
});

const cases = generate(new Rng(SEED));
fuzz(`${cases.length} broken configs and traces`, async () => {
  const trace = readFileSync(join(dir, 'trace.csv'), 'utf8');
  const failures: string[] = [];
  for (const [k, c] of cases.entries()) {
    const file = join(dir, `case-${k}.yaml`);
    writeFileSync(file, c.yaml);
    writeFileSync(join(dir, 'trace.csv'), c.trace ?? trace);
    const out = join(dir, `out-${k}`);
    const results = join(dir, `results-${k}`);
    // Half the cases name the directory, half leave it to the default under --results.
    const r = await expInProcess(k % 2 === 0 ? [file, '--out', out, '--jobs', '1'] : [file, '--results', results, '--jobs', '1']);
    const problems: string[] = [];
    if (r.code !== 2) problems.push(`exit code ${r.code}`);
    if (r.stdout !== '') problems.push(`printed on stdout: ${r.stdout.slice(0, 200)}`);
    if (!r.stderr.startsWith('error: ')) problems.push('stderr does not start with "error: "');
    if (STACK_LINE.test(r.stderr)) problems.push('a stack trace');
    if (!new RegExp(`${escape(file)}:\\d+:\\d+: `).test(r.stderr)) problems.push('no file:line:column');
    for (const p of c.paths) if (!new RegExp(`${escape(file)}:\\d+:\\d+: ${escape(p)}[.:\\[ ]`).test(r.stderr)) problems.push(`no line names ${p}`);
    if (c.says && !c.says.test(r.stderr)) problems.push(`does not say ${c.says}`);
    if (existsSync(out) || existsSync(results)) problems.push('left a results directory');
    if (problems.length > 0) failures.push(`case ${k} (${c.what}): ${problems.join('; ')}\n${r.stderr}`);
  }
  writeFileSync(join(dir, 'trace.csv'), trace);
  assert.equal(failures, []);
});

fuzz('bad arguments: exit 2, the option named, nothing written', async () => {
  writeFileSync(join(dir, 'ok.yaml'), BASE);
  const bad: [string[], RegExp][] = [
    [['--jobs', '0'], /--jobs must be a positive integer/],
    [['--jobs', 'two'], /--jobs must be a positive integer, got not a number/],
    [['--jobs', '-3'], /--jobs must be a positive integer/],
    [['--shard', '0/3'], /--shard 0\/3: shards are numbered 1\.\.n/],
    [['--shard', '5/4'], /--shard 5\/4/],
    [['--shard', 'half'], /--shard expects i\/n/],
    [['--resume', join(dir, 'nowhere')], /nowhere is not a results directory/],
    [['--frobnicate'], /Unknown argument/],
  ];
  for (const [args, says] of bad) {
    const out = join(dir, 'args-out');
    const r = await expInProcess([join(dir, 'ok.yaml'), '--out', out, ...args]);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, says);
    assert.not.match(r.stderr, STACK_LINE);
    assert.not.ok(existsSync(out), `${args.join(' ')} left ${out}`);
  }
});

fuzz.run();
