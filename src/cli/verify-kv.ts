import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type Verdict, formatVerdict, summarizeVerdict } from '../kv/index.ts';
import { sweepDeployments } from '../strategies/deployment.ts';
import { allStrategies, getStrategy } from '../strategies/registry.ts';
import { allModels, getModel, modelNames } from '../model/catalog.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { DEGREE_KEYS, givenDegrees, withDegreeOptions } from './degree-options.ts';
import { UsageError, exitOnError } from './errors.ts';

const WORLDS = [2, 4, 8, 16];
/** Strategies that declare a KV check, those that switch modes first (the default is the first). */
const CHECKED = allStrategies().filter((s) => s.kvCheck).sort((a, b) => Number(b.switching !== undefined) - Number(a.switching !== undefined));

/** Strategies whose check covers a grid of degrees (Shift's SP × TP): each degree they read is required. */
const GRIDS = CHECKED.filter((s) => s.kvCheck!.ordered).map((s) => s.name);

const argv = withDegreeOptions(yargs(hideBin(process.argv)), ` (required for ${GRIDS.join(', ')}; default 1 for the others)`)
  .scriptName('yarn verify-kv')
  .usage(
    '$0 --model <name> --world P --sp s --tp t [--order full-tp|naive] [--json]\n' +
      '$0 --model <name> --world P --strategy dp [--tp t] [--json]\n' +
      '$0 --all [--strategy shift|dp] [--order full-tp|naive] [--json]\n\n' +
      'Proves that every rank owns the same KV heads in both layouts of a deployment (Shift: the ' +
      'SP s × TP t base and the TP P shift model, s·t = P), or prints the first KV head whose ' +
      'owner differs. --strategy dp compares DP (P/t replicas of TP t) with TP P.',
  )
  .option('model', { type: 'string', describe: `model: ${modelNames().join(', ')}` })
  .option('world', { type: 'number', describe: 'ranks P' })
  .option('strategy', { type: 'string', choices: CHECKED.map((s) => s.name), default: CHECKED[0]!.name, describe: CHECKED.map((s) => `${s.name}: ${s.kvCheck!.describe}`).join('; ') })
  .option('order', { type: 'string', choices: ['full-tp', 'naive'], default: 'full-tp', describe: "rank order of the shift model's full-TP group (naive = 0..P-1)" })
  .option('all', { type: 'boolean', default: false, describe: `every catalog model, P in {${WORLDS.join(', ')}}, every split, one line each` })
  .option('json', { type: 'boolean', default: false, describe: 'print the verdict(s) as JSON' })
  .epilog('Exit status: 0 invariant (with --all: no valid split moves KV), 1 a counterexample or a refused config, 2 bad arguments.')
  .wrap(100)
  .strict()
  .help()
  .parseSync();

function positiveInteger(name: string, v: number | undefined): number {
  if (v === undefined) throw new UsageError(`--${name} is required`);
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${name} must be a positive integer, got ${v}`);
  return v;
}

function single(order: FullTpOrder): Verdict {
  if (argv.model === undefined) throw new UsageError('--model is required (or use --all)');
  const model = getModel(argv.model);
  const world = positiveInteger('world', argv.world);
  const strategy = getStrategy(argv.strategy);
  const given = givenDegrees(argv);
  const reads = Object.keys(strategy.configKeys);
  const foreign = Object.keys(given).find((key) => !reads.includes(key));
  if (foreign !== undefined) throw new UsageError(`--strategy ${strategy.name} has no degree --${foreign}; got --${foreign} ${given[foreign]}`);
  // A strategy whose check is ordered covers a grid of degrees (Shift: SP × TP) and needs each;
  // an unordered one (DP: replicas of TP t) defaults its degrees to 1. Degrees a strategy does not read are 1.
  const degree = (key: string): number => positiveInteger(key, strategy.kvCheck!.ordered ? given[key] : (given[key] ?? 1));
  const split = { sp: 1, tp: 1, ...Object.fromEntries(reads.map((key) => [key, degree(key)])) };
  return strategy.kvCheck!.verify(model, world, split, order);
}

function all(order: FullTpOrder): boolean {
  for (const key of ['model', 'world', ...DEGREE_KEYS]) {
    if ((argv as Readonly<Record<string, unknown>>)[key] !== undefined) throw new UsageError(`--all covers every model, world size and split; drop --${key}`);
  }
  const rows = sweepDeployments(allModels(), WORLDS, getStrategy(argv.strategy), order);
  if (argv.json) console.log(JSON.stringify(rows.map((r) => ({ model: r.model, world: r.world, ...r.verdict }))));
  else {
    const name = Math.max(...rows.map((r) => r.model.length));
    const split = Math.max(...rows.map((r) => r.verdict.a.length));
    console.log(`${'model'.padEnd(name)}  ${'P'.padStart(2)}  ${'split'.padEnd(split)}  ${'verdict'.padEnd(9)}  reason`);
    for (const r of rows) {
      console.log(`${r.model.padEnd(name)}  ${String(r.world).padStart(2)}  ${r.verdict.a.padEnd(split)}  ${r.verdict.verdict.padEnd(9)}  ${summarizeVerdict(r.verdict)}`);
    }
  }
  return !rows.some((r) => r.verdict.verdict === 'moves');
}

function main(): void {
  const order = argv.order as FullTpOrder;
  if (!getStrategy(argv.strategy).kvCheck!.ordered && order === 'naive') throw new UsageError(`--order names the rank order of the shift model; it does not apply to --strategy ${argv.strategy}`);
  if (argv.all) {
    if (!all(order)) process.exitCode = 1;
    return;
  }
  const v = single(order);
  if (argv.json) console.log(JSON.stringify({ model: argv.model, world: argv.world, strategy: argv.strategy, order, ...v }));
  else console.log(`${argv.model}, P = ${argv.world}\n${formatVerdict(v)}`);
  if (v.verdict !== 'invariant') process.exitCode = 1;
}

// `yarn verify-kv --all | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

try {
  main();
} catch (e) {
  exitOnError(e);
}
