import { AtomicFileWriter } from '../atomic-writer.ts';
import { REQUEST_COLUMNS, csvCell, forEachLine } from '../request-file.ts';
import type { RunDir } from '../store.ts';
import type { RunData } from './collect.ts';

/**
 * requests.csv: one row per (point, system, request). Columns: point, workload, one column per
 * sweep variable, system, then a unit's request columns (src/exp/request-file.ts): request,
 * arrival_s, input_tokens, output_tokens, replica, ttft_ms, tpot_ms, e2e_ms, preemptions,
 * finished. Streamed from the units' request files to the output, so its size is not bounded
 * by memory. Within a unit, rows are in the order requests left the simulator.
 */
export function writeRequestsCsv(dir: RunDir, data: RunData, path: string): void {
  const vars = [...new Set(data.points.flatMap((p) => Object.keys(p.plan.params).filter((k) => k !== 'workload')))];
  const out = new AtomicFileWriter(path);
  try {
    out.write(`${['point', 'workload', ...vars, 'system', ...REQUEST_COLUMNS].join(',')}\n`);
    for (const p of data.points) {
      const fixed = [p.plan.id, p.plan.workload, ...vars.map((v) => p.plan.params[v])].map(csvCell).join(',');
      for (const u of p.units) {
        const prefix = `${fixed},${csvCell(u.system)},`;
        let header = true;
        forEachLine(dir.requestFile(u.unit), (line) => {
          if (!header && line !== '') out.write(`${prefix}${line}\n`);
          header = false;
        });
      }
    }
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
}
