import type { z } from 'zod';
import type { KeyIssue } from '../../util/issues.ts';
import { didYouMean } from './suggest.ts';
import { type AnySchema, type Def, def, unwrap } from './zod-def.ts';

/**
 * Turns zod issues into KeyIssues a user can act on: an unknown key names its path and the
 * closest known key, a wrong type says what was expected and what was given, a union reports
 * the branch the input was evidently meant for (not every branch's complaint).
 */
type Path = readonly (string | number)[];

function child(value: unknown, key: string | number): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[key] : undefined;
}

/** The union branches the input can mean: for a discriminated union, the one its tag names. */
function branches(d: Def, value: unknown): readonly AnySchema[] {
  const options = d.options ?? [];
  const tag = d.discriminator === undefined ? undefined : child(value, d.discriminator);
  if (tag === undefined) return options;
  const hit = options.filter((o) => def(def(unwrap(o)).shape?.[d.discriminator!] ?? o).values?.includes(tag));
  return hit.length > 0 ? hit : options;
}

/** The object schemas that can sit at `path` (several when unions leave it open). */
function objectsAt(s: AnySchema, path: Path, value: unknown): AnySchema[] {
  const u = unwrap(s);
  const d = def(u);
  if (d.type === 'union') return branches(d, value).flatMap((o) => objectsAt(o, path, value));
  if (path.length === 0) return d.type === 'object' ? [u] : [];
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const next = d.type === 'object' ? d.shape?.[String(head)] : d.type === 'array' ? d.element : d.type === 'record' ? d.valueType : undefined;
  return next ? objectsAt(next, rest, child(value, head)) : [];
}

/** The keys the schema allows at `path`. */
function knownKeys(schema: AnySchema, path: Path, root: unknown): string[] {
  return [...new Set(objectsAt(schema, path, root).flatMap((o) => Object.keys(def(o).shape ?? {})))];
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  // YAML's spellings: JSON would print null for all three.
  if (typeof v === 'number' && Number.isNaN(v)) return '.nan (not a number)';
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v > 0 ? '' : '-'}.inf (infinity)`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** zod's type names as a YAML user reads them. */
const EXPECTED: Readonly<Record<string, string>> = { int: 'an integer', object: 'a mapping', record: 'a mapping', array: 'a list', tuple: 'a list' };

const quoteAll = (xs: readonly unknown[]): string => xs.map((x) => (typeof x === 'string' ? `'${x}'` : String(x))).join(', ');

/** Issues of one zod error, at `base` + each issue's path. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[], schema: AnySchema, root: unknown, base: Path = []): KeyIssue[] {
  return issues.flatMap((i) => describe(i, schema, root, base, []));
}

function describe(i: z.core.$ZodIssue, schema: AnySchema, root: unknown, base: Path, prefix: Path): KeyIssue[] {
  const rel: Path = [...prefix, ...i.path.map((k) => (typeof k === 'symbol' ? String(k) : k))];
  const path = [...base, ...rel];
  const input = 'input' in i ? i.input : undefined;
  switch (i.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, rel, root);
      return i.keys.map((k) => ({ path: [...path, k], message: `unknown key${didYouMean(k, known)} (allowed here: ${known.join(', ')})` }));
    }
    case 'invalid_type': {
      const expected = EXPECTED[i.expected] ?? i.expected;
      // zod reports a missing key as an invalid_type issue without an input.
      if (input === undefined) return [{ path, message: `missing; expected ${expected}` }];
      const finite = typeof input === 'number' && (i.expected === 'number' || i.expected === 'int') ? `a finite ${i.expected === 'int' ? 'integer' : 'number'}` : expected;
      return [{ path, message: `expected ${finite}, got ${show(input)}` }];
    }
    case 'invalid_value': {
      const near = typeof input === 'string' ? didYouMean(input, i.values.map(String)) : '';
      return [{ path, message: `expected ${i.values.length === 1 ? quoteAll(i.values) : `one of ${quoteAll(i.values)}`}, got ${show(input)}${near}` }];
    }
    case 'invalid_union': {
      const note = (i as { note?: string }).note;
      if (note === 'No matching discriminator') {
        const options = (i as unknown as { options: unknown[] }).options ?? [];
        const tag = (i as unknown as { discriminator: string }).discriminator;
        const given = child(input, tag);
        const near = typeof given === 'string' ? didYouMean(given, options.map(String)) : '';
        const tagPath = path.at(-1) === tag ? path : [...path, tag];
        return [{ path: tagPath, message: `expected one of ${quoteAll(options)}, got ${show(given)}${near}` }];
      }
      return bestBranch(i.errors, input).flatMap((e) => describe(e, schema, root, base, rel));
    }
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
    case 'invalid_format':
      return [{ path, message: `${i.message.replace(/^Too (small|big): /, '')}, got ${show(input)}` }];
    default:
      return [{ path, message: i.message }];
  }
}

/** Complaints about keys the input does not have (it was evidently meant for another form). */
const missingKeys = (issues: readonly z.core.$ZodIssue[]): number => issues.filter((x) => x.code === 'invalid_type' && x.path.length > 0 && (x as { input?: unknown }).input === undefined).length;

/**
 * The branch the input was meant for: one whose complaints are not about the input's own type,
 * and among those the one missing the fewest keys (`{module: x, params: 5}` is a module form
 * with bad params, not a built-in form without a name), then with the fewest complaints.
 */
function bestBranch(errors: readonly (readonly z.core.$ZodIssue[])[], input: unknown): readonly z.core.$ZodIssue[] {
  const typeMatches = errors.filter((e) => !e.some((x) => x.path.length === 0 && x.code === 'invalid_type'));
  const pool = typeMatches.length > 0 ? typeMatches : errors;
  const best = [...pool].sort((a, b) => missingKeys(a) - missingKeys(b) || a.length - b.length)[0];
  if (best) return best;
  return [{ code: 'custom', path: [], message: `matches none of the allowed forms (got ${show(input)})`, input } as z.core.$ZodIssue];
}
