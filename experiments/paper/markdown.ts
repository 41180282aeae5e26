/**
 * A Markdown table. `align` gives each column's alignment ('l' or 'r'); by default the first
 * column is left-aligned and the others (numbers) right-aligned. Pipes in cells are escaped.
 */
export function mdTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const row = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const a = header.map((_, j) => ((align?.[j] ?? (j === 0 ? 'l' : 'r')) === 'l' ? ':--' : '--:'));
  return [row(header), `| ${a.join(' | ')} |`, ...rows.map(row)].join('\n');
}
