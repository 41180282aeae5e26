import type { FitReport, PointRow } from './run-fit.ts';

/**
 * The fit's report (markdown; the terminal prints the same text): every point measured /
 * predicted / error, the training and leave-one-out errors, how far each constant moved from its
 * prior, the headline ratios the points imply, and the check points beside their measurements.
 */
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

function value(v: number, id: string): string {
  if (id.includes('ttft_ms') || id.includes('tpot_ms')) return `${v.toPrecision(3)} ms`;
  if (id.includes('throughput_tok_s')) return `${(v / 1e3).toFixed(1)}k tok/s`;
  if (id.includes('share')) return `${(v * 100).toFixed(1)}%`;
  return `${v.toFixed(2)}×`;
}

function constantValue(key: string, v: number): string {
  if (key.endsWith('bytes_per_s')) return `${(v / 1e9).toFixed(0)} GB/s`;
  if (key.endsWith('_s')) return v >= 1e-3 ? `${(v * 1e3).toFixed(2)} ms` : `${(v * 1e6).toFixed(2)} µs`;
  return v.toFixed(3);
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? ':--' : '--:'))), ...rows.map(line)].join('\n');
}

/** Whether a check lands on the measured side: ratios on the same side of 1, shares within 10 points. */
export function rightSide(c: PointRow): boolean {
  if (c.id.includes('share')) return Math.abs(c.predicted - c.measured) <= 0.1;
  return (c.predicted - 1) * (c.measured - 1) > 0;
}

/** TP over Shift TTFT and Shift over TP throughput, where the points have both (measured and predicted). */
export function headlineRatios(points: readonly PointRow[]): { label: string; measured: number; predicted: number }[] {
  const find = (system: string, rest: string): PointRow | undefined => points.find((p) => p.id === `${system} ${rest}`);
  const out: { label: string; measured: number; predicted: number }[] = [];
  for (const p of points) {
    const m = /^TP (ttft_ms|throughput_tok_s) (.+)$/.exec(p.id);
    if (!m) continue;
    const shift = find('Shift', `${m[1]} ${m[2]}`);
    if (!shift) continue;
    if (m[1] === 'ttft_ms') out.push({ label: `TTFT TP / Shift (${m[2]})`, measured: p.measured / shift.measured, predicted: p.predicted / shift.predicted });
    else out.push({ label: `throughput Shift / TP (${m[2]})`, measured: shift.measured / p.measured, predicted: shift.predicted / p.predicted });
  }
  return out;
}

export function fitReportMarkdown(r: FitReport): string {
  const s = r.seconds;
  const out = [
    `Fitted by \`yarn calibrate fit ${r.measurements}\`: ${r.constants.length} constants to the ${r.points.length} \`use: fit\` points, with ${r.profile.calibration?.optimizer ?? 'ml-levenberg-marquardt'}. The same constants serve every model, system and workload; the fit starts from the uncalibrated \`h200-roofline\` profile, whose other constants keep their public sources. Recording the runs took ${s.record.toFixed(1)} s, the fit ${s.fit.toFixed(1)} s, the ${r.points.length} leave-one-out refits ${s.loo.toFixed(1)} s (${r.evaluations} evaluations).`,
    '',
    `**Training MAPE ${(r.trainMape * 100).toFixed(1)}%, leave-one-out MAPE ${(r.looMape * 100).toFixed(1)}%** (each point predicted by a fit that did not see it).`,
    '',
    table(
      ['point (use: fit)', 'measured', 'fitted', 'error', 'left out', 'error'],
      r.points.map((p) => [p.id, value(p.measured, p.id), value(p.predicted, p.id), pct(p.predicted / p.measured - 1), value(p.loo!, p.id), pct(p.loo! / p.measured - 1)]),
    ),
    '',
    table(
      ['ratio', 'measured', 'fitted', 'error'],
      headlineRatios(r.points).map((h) => [h.label, `${h.measured.toFixed(2)}×`, `${h.predicted.toFixed(2)}×`, pct(h.predicted / h.measured - 1)]),
    ),
    '',
    'How far each constant moved from its prior (unsourced constants are marked fitted; "software" ones carry over to `h100-sxm`):',
    '',
    table(
      ['constant', 'prior', 'fitted', 'moved', 'bounds', 'scope', 'prior from'],
      r.constants.map((c) => {
        const atBound = c.value <= c.lower * (1 + 1e-6) || c.value >= c.upper * (1 - 1e-6) ? ' (at bound)' : '';
        return [
          `\`${c.key}\``,
          c.sourced ? constantValue(c.key, c.prior) : `${constantValue(c.key, c.prior)} (unsourced)`,
          constantValue(c.key, c.value),
          `${c.prior > 0 ? pct(c.value / c.prior - 1) : '–'}${atBound}`,
          `${constantValue(c.key, c.lower)} – ${constantValue(c.key, c.upper)}`,
          c.scope,
          c.source,
        ];
      }),
    ),
    '',
    'Check points (`use: check`: other engines or setups, not fitted; a ratio is on the right side when it is on the measured side of 1, a share when within 10 points):',
    '',
    table(['point (use: check)', 'measured', 'predicted', 'error', 'right side'], r.checks.map((c) => [c.id, value(c.measured, c.id), value(c.predicted, c.id), pct(c.predicted / c.measured - 1), rightSide(c) ? 'yes' : '**no**'])),
  ];
  return `${out.join('\n')}\n`;
}
