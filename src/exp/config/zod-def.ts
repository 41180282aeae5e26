import type { z } from 'zod';

/**
 * Read-only access to a zod schema's definition, for walking a schema: the config reference
 * (reference.ts) lists its keys, the error formatter (zod-issues.ts) finds known keys at a path.
 * zod exposes `_zod.def` untyped across schema kinds, so the fields used are declared here once.
 */
export type AnySchema = z.core.$ZodType;

export interface Def {
  readonly type: string;
  readonly innerType?: AnySchema;
  readonly in?: AnySchema;
  readonly defaultValue?: unknown;
  readonly shape?: Record<string, AnySchema>;
  readonly element?: AnySchema;
  readonly valueType?: AnySchema;
  readonly options?: readonly AnySchema[];
  readonly discriminator?: string;
  readonly entries?: Record<string, string>;
  readonly values?: readonly unknown[];
  readonly items?: readonly AnySchema[];
  readonly checks?: readonly { _zod: { def: { check: string; format?: string } } }[];
}

export const def = (s: AnySchema): Def => s._zod.def as unknown as Def;

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The schema inside optional/default/… wrappers and pipes. */
export function unwrap(s: AnySchema): AnySchema {
  for (;;) {
    const d = def(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}
