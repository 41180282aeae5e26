import { digitsValue } from './rows.ts';

/**
 * Azure LLM trace timestamps, `YYYY-MM-DD HH:MM:SS.fffffff` (100 ns resolution, no zone; a
 * trailing `Z` or `±HH:MM` as in the 2024 trace is accepted and applied).
 *
 * Seconds since 1970 are about 1.7e9, where a double resolves only ~2.4e-7 s, coarser than the
 * trace's 1e-7 s. So an instant is kept as whole seconds plus the decimal fraction, and only
 * differences of instants (small numbers) are ever turned into one double.
 */
export interface AzureInstant {
  /** Whole seconds since 1970-01-01 UTC (an exact integer). */
  readonly whole: number;
  /** The fractional second, in [0, 1). */
  readonly frac: number;
}

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A timestamp parser. It remembers the last date it saw (a trace has few distinct dates), which
 * makes parsing about twice as fast on long files; hence a factory rather than a plain function.
 * The parser returns a reason string instead of an instant when the text is malformed.
 */
export function azureTimestampParser(): (text: string) => AzureInstant | string {
  let lastDate = '';
  let lastDays = 0;
  return (raw) => {
    const fast = parseCommonForm(raw, lastDate, lastDays);
    if (fast !== undefined) return fast;
    const text = raw.trim();
    const m = PATTERN.exec(text);
    if (!m) return `timestamp '${raw}' is not YYYY-MM-DD HH:MM:SS[.fffffff]`;
    const date = text.slice(0, 10);
    if (date !== lastDate) {
      const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const days = Date.UTC(y, mo - 1, d);
      const check = new Date(days);
      if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return `timestamp '${raw}' has no such date`;
      lastDate = date;
      lastDays = days / 1000;
    }
    const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
    if (h > 23 || mi > 59 || s > 59) return `timestamp '${raw}' has no such time of day`;
    const digits = m[7] ?? '';
    const frac = digits === '' ? 0 : Number(digits) / 10 ** digits.length;
    return { whole: lastDays + h * 3600 + mi * 60 + s - zoneOffsetSeconds(m[8]), frac };
  };
}

/**
 * The common form `YYYY-MM-DD HH:MM:SS.f…` (no zone) on a date equal to `date`, parsed without a
 * regular expression; undefined for anything else, which then takes the checked path.
 */
function parseCommonForm(t: string, date: string, days: number): AzureInstant | undefined {
  if (t.length < 19 || !t.startsWith(date) || date === '') return undefined;
  if (t.charCodeAt(10) !== 32 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const h = digitsValue(t, 11, 13);
  const mi = digitsValue(t, 14, 16);
  const s = digitsValue(t, 17, 19);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  let frac = 0;
  if (t.length > 19) {
    const n = t.length - 20;
    if (t.charCodeAt(19) !== 46 || n < 1 || n > 9) return undefined;
    const f = digitsValue(t, 20, t.length);
    if (f < 0) return undefined;
    frac = f / 10 ** n;
  }
  return { whole: days + h * 3600 + mi * 60 + s, frac };
}

function zoneOffsetSeconds(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2)) * 60);
}

/** b − a in seconds, exact to double precision of the (small) difference. */
export function secondsBetween(a: AzureInstant, b: AzureInstant): number {
  return b.whole - a.whole + (b.frac - a.frac);
}
