import { type RunData, pointLabel } from './collect.ts';

/**
 * Points where a system finished no request: its row would be all dashes, which reads like a
 * rendering problem rather than what it is (every request rejected, e.g. prompts longer than
 * max_model_len, or a KV cache too small for one request). One line each, with the reasons.
 */
export function noRequestFinished(data: RunData): string[] {
  return data.points.flatMap((p) =>
    p.units
      .filter((u) => u.summary.requests.finished === 0)
      .map((u) => {
        const reasons = Object.entries(u.summary.rejections).map(([why, n]) => `${n} × ${why}`);
        return `${u.system} at ${pointLabel(p.plan)} finished no request (${u.summary.requests.rejected} rejected${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''})`;
      }),
  );
}

/** True when not one unit of the run finished a request: the run measured nothing. */
export function nothingFinished(data: RunData): boolean {
  return data.points.every((p) => p.units.every((u) => u.summary.requests.finished === 0));
}
