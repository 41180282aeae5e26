import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `yarn bench <name> [args]` runs bench/<name>.ts; without a name (or with --help) it lists them. */
const dir = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3));
const name = process.argv[2];
const usage = `usage: yarn bench <${names.join('|')}> [options]
  sim     replay the Azure conv trace for DP, TP, SP and Shift (wall time, peak memory) [--traces DIR]
  decode  wall time of one decode iteration of each strategy on tiny [--world P] [--steps N]
  traces  stream 10 million synthetic trace rows through a loader (rate, peak memory)
  memory  0.5 M, 1 M and 2 M requests of one system through yarn exp's whole path (peak RSS, time) [--requests N] [--scales 1,2,4] [--exact]
  search  yarn exp search: candidates per second, and bisection probes against the tolerance [--config FILE] [--jobs N] [--tolerances 0.5,0.2,...]
  cuda    each CUDA kernel at Llama-3.3-70B TP8 shapes against the GPU's ceilings (needs a GPU)`;
if (!name || name === '--help' || name === '-h') {
  console.log(usage);
  process.exit(0);
}
if (!names.includes(name)) {
  console.error(`unknown benchmark '${name}'\n${usage}`);
  process.exit(2);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
