/** Number formats shared by the claims table and the README. */
export function ms(v: number): string {
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
}

export function seconds(msValue: number): string {
  return `${(msValue / 1000).toFixed(msValue >= 100_000 ? 0 : 2)} s`;
}

export function tokS(v: number): string {
  return `${(v / 1000).toFixed(1)}k tok/s`;
}

export function int(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

export function pct(v: number): string {
  return `${(v * 100).toFixed(0)}%`;
}

/** Tokens as "4k", "128k" (powers of two and 130,822 = 128k − 250 for the sweep). */
export function kTokens(v: number): string {
  return `${Math.round(v / 1024)}k`;
}
