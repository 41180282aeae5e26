import { relative } from 'node:path';

/**
 * The command the user typed to start this program, for hints such as "continue with:
 * <command> x.yaml --resume DIR" that can be pasted as they are. npm, yarn and pnpm name the
 * script in `npm_lifecycle_event` and themselves in `npm_config_user_agent`
 * ('npm/10.8.2 node/v20.19.0 ...', 'yarn/1.22.22 npm/? ...', 'pnpm/9.1.0 ...'); npm needs `--`
 * before the script's own options. Started directly, it is the node command line.
 */
export function invokedAs(script: string, env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv): string {
  if (env.npm_lifecycle_event === script) {
    const agent = (env.npm_config_user_agent ?? '').split('/')[0];
    if (agent === 'yarn') return `yarn ${script}`;
    if (agent === 'pnpm') return `pnpm ${script}`;
    return `npm run ${script} --`;
  }
  const entry = argv[1] === undefined ? `src/cli/${script}.ts` : relative(process.cwd(), argv[1]) || argv[1];
  const loader = execArgv.some((a) => a.includes('tsx')) || entry.endsWith('.ts') ? ' --import tsx' : '';
  return `node${loader} ${entry}`;
}
