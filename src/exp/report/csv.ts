import type { RunData } from './collect.ts';

/**
 * requests.csv: one row per (point, system, request). Columns: point, workload, one column per
 * sweep variable, system, request, arrival_s, input_tokens, output_tokens, replica, ttft_ms,
 * tpot_ms, e2e_ms, preemptions, finished. Empty cells for values a request has not got
 * (rejected; TPOT of a 1-token request).
 */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)))) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function requestsCsv(data: RunData): string {
  const vars = [...new Set(data.points.flatMap((p) => Object.keys(p.plan.params).filter((k) => k !== 'workload')))];
  const header = ['point', 'workload', ...vars, 'system', 'request', 'arrival_s', 'input_tokens', 'output_tokens', 'replica', 'ttft_ms', 'tpot_ms', 'e2e_ms', 'preemptions', 'finished'];
  const lines = [header.join(',')];
  for (const p of data.points) {
    const fixed = [p.plan.id, p.plan.workload, ...vars.map((v) => p.plan.params[v])];
    for (const u of p.units) {
      const r = u.requests;
      for (let i = 0; i < r.id.length; i++) {
        const row = [...fixed, u.system, r.id[i], r.arrival[i], r.input[i], r.output[i], r.replica[i], r.ttft_ms[i], r.tpot_ms[i], r.e2e_ms[i], r.preemptions[i], r.e2e_ms[i] === null ? 0 : 1];
        lines.push(row.map(cell).join(','));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
