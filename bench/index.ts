import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `yarn bench <name> [args]` runs bench/<name>.ts; without a name it lists the benchmarks. */
const dir = fileURLToPath(new URL('.', import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: yarn bench <${names.join('|')}> [options]${name ? `\nunknown benchmark '${name}'` : ''}`);
  process.exit(name ? 2 : 0);
}
process.argv.splice(2, 1);
await import(`./${name}.ts`);
