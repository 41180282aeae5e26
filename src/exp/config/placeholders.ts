import type { KeyIssue } from '../../util/issues.ts';
import { didYouMean } from './suggest.ts';

/**
 * `${var}` placeholders in config values. A string that is exactly one placeholder becomes the
 * variable's value with its type (`rate: ${rate}` gives a number); placeholders inside a longer
 * string are replaced by the value's text (`name: Shift-${threshold}`). Keys are never
 * substituted, and `${` always starts a placeholder.
 */
export type VarValue = number | string | boolean;
export type Vars = Readonly<Record<string, VarValue>>;
type Path = readonly (string | number)[];

const ONE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ANY = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of the variables referenced anywhere in `value`. */
export function referencedVars(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(ANY)) into.add(m[1]!);
  else if (Array.isArray(value)) for (const v of value) referencedVars(v, into);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) referencedVars(v, into);
  return into;
}

export interface SubstituteOptions {
  readonly base: Path;
  /** Names substituted in a later pass: left alone. */
  readonly later?: ReadonlySet<string>;
  /** Further names to suggest when a placeholder is unknown. */
  readonly hints?: readonly string[];
  readonly issues: KeyIssue[];
}

/**
 * `value` with the placeholders of `vars` replaced. Placeholders of names in `later` are left
 * for a later pass; any other unknown name is an issue at its key path (`base` + where found).
 */
export function substitute(value: unknown, vars: Vars, o: SubstituteOptions): unknown {
  const walk = (v: unknown, path: Path): unknown => {
    if (typeof v === 'string') return substituteString(v, vars, path, o);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    return v;
  };
  return walk(value, o.base);
}

function substituteString(s: string, vars: Vars, path: Path, o: SubstituteOptions): unknown {
  const known = (name: string): boolean => Object.hasOwn(vars, name);
  const whole = ONE.exec(s);
  if (whole && known(whole[1]!)) return vars[whole[1]!];
  return s.replace(ANY, (text, name: string) => {
    if (known(name)) return String(vars[name]);
    if (!o.later?.has(name)) {
      const names = [...new Set([...Object.keys(vars), ...(o.later ?? []), ...(o.hints ?? [])])];
      o.issues.push({ path, message: `unknown variable \${${name}}${didYouMean(name, names)} (defined: ${names.length ? names.join(', ') : 'none; define it under sweep or the system\'s expand'})` });
    }
    return text;
  });
}

/** Every combination of the variables' values, the last variable varying fastest. */
export function combinations(vars: Readonly<Record<string, readonly VarValue[]>>): Vars[] {
  let out: Record<string, VarValue>[] = [{}];
  for (const [name, values] of Object.entries(vars)) out = out.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return out;
}

/** "rate = 4, threshold = 512" for messages. */
export function describeVars(vars: Vars): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(', ');
}
