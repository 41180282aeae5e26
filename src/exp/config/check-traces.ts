import { loadLengths, openWorkload } from '../../traces/index.ts';
import { TraceFormatError } from '../../traces/errors.ts';
import type { KeyIssue } from '../../util/issues.ts';
import type { ResolvedWorkload } from './resolve-workload.ts';

/**
 * Reads every trace (and length file) the experiment replays once, before anything runs, the
 * way a unit will read it (window, scale, cap, skip_bad_rows): a bad row is then a config
 * problem naming the trace's file and line and the workload's key, found before a results
 * directory exists, rather than every unit of that workload failing in the middle of a sweep.
 * Streams, so memory stays bounded; costs one pass over each distinct trace workload.
 *
 * Returns each trace workload with its number of requests (exact: what units will replay).
 */
export async function checkTraceRows(workloads: readonly ResolvedWorkload[], issues: KeyIssue[]): Promise<Map<ResolvedWorkload, ResolvedWorkload>> {
  const counted = new Map<ResolvedWorkload, ResolvedWorkload>();
  for (const w of new Set(workloads)) {
    const spec = w.spec;
    const key = 'trace' in spec ? ['trace'] : ['synthetic', 'lengths', 'file'];
    try {
      if ('trace' in spec) {
        let requests = 0;
        for await (const _ of openWorkload(spec).stream) requests++;
        counted.set(w, { ...w, requests });
      } else if (spec.synthetic.lengths.kind === 'file') {
        const { file, maxRows } = spec.synthetic.lengths;
        await loadLengths(file, maxRows === undefined ? {} : { maxRows });
      }
    } catch (e) {
      issues.push({ path: ['workloads', w.template, ...key], message: describe(e as Error, 'trace' in spec) });
    }
  }
  return counted;
}

function describe(e: Error, skippable: boolean): string {
  if (!(e instanceof TraceFormatError)) return e.message.replace(/\n\s*/g, '; ');
  const hint = e.skippable && skippable ? '; skip_bad_rows: true on this workload skips and counts bad rows instead' : '';
  return `${e.file}:${e.line}: ${e.problem}${hint}`;
}
