import type { Argv } from 'yargs';
import { strategyConfigKeys } from '../strategies/registry.ts';
import type { DegreeKeys } from '../strategies/types.ts';

/** The degree keys of every registered strategy, each described per strategy. */
const DEGREES = strategyConfigKeys();

/** The names of every strategy's degree keys, e.g. for `--all` checks that none was given. */
export const DEGREE_KEYS: readonly string[] = Object.keys(DEGREES);

/**
 * Adds one numeric option per degree key of the registered strategies, described as the registry
 * describes it (plus `note`, when given, for what the command does with it). The options stay
 * out of the parsed type: read them with givenDegrees.
 */
export function withDegreeOptions<T>(parser: Argv<T>, note = ''): Argv<T> {
  return Object.entries(DEGREES).reduce((p, [key, schema]) => p.option(key, { type: 'number', describe: `${schema.description ?? ''}${note}` }) as Argv<T>, parser);
}

/** The degree options that were given on the command line, by key. */
export function givenDegrees(argv: Readonly<Record<string, unknown>>): DegreeKeys {
  return Object.fromEntries(DEGREE_KEYS.filter((k) => argv[k] !== undefined).map((k) => [k, argv[k] as number]));
}
