import * as assert from 'uvu/assert';
import { StrategyTracer } from '../../src/cost/tracer.ts';
import { createWorkerExecutor } from '../../src/exec/worker-executor.ts';
import { getModel } from '../../src/model/catalog.ts';
import type { CommRecord, OpRecord } from '../../src/ops/trace.ts';
import { alternatePolicy } from '../../src/policy/alternate.ts';
import { getStrategy, resolveParallel } from '../../src/strategies/registry.ts';
import type { Batch } from '../../src/model/batch.ts';
import type { StrategyName } from '../../src/strategies/types.ts';

/**
 * Collective bytes per rank, real against meta: for any registered strategy, every rank's local
 * communicator (worker executor, float32 on tfjs) must move exactly what the meta trace of that
 * same rank says, for the same batch in the same mode. The conformance suite calls this for
 * every strategy; it names no strategy itself.
 */

/** One communicator record as a comparable string: kind or direction, group, size or peer, bytes. */
export function commKey(r: CommRecord): string {
  return r.op === 'p2p' ? `${r.dir}@${r.group}→${r.peer}:${r.bytes}` : `${r.kind}@${r.group}×${r.size}:${r.bytes}`;
}

/** The communicator records of an op trace, in order. */
export function commRecords(records: readonly OpRecord[]): CommRecord[] {
  return records.filter((r): r is CommRecord => r.op === 'collective' || r.op === 'p2p');
}

/** Bytes per (kind or direction, group) of one rank's records. */
export function commBytes(records: readonly CommRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    const what = `${r.op === 'p2p' ? r.dir : r.kind}@${r.group}`;
    out[what] = (out[what] ?? 0) + r.bytes;
  }
  return out;
}

export interface CommConformance {
  readonly model: string;
  readonly strategy: StrategyName;
  readonly world: number;
  readonly sp?: number;
  readonly tp?: number;
  /** Batches to run; each runs once in every mode of the strategy (the alternate policy cycles them). */
  readonly batches: readonly Batch[];
}

/**
 * Runs each batch in every mode on the worker executor and asserts, for every rank, that the
 * records its communicator made equal the meta trace of that rank (bytes per kind and group, then
 * the whole ordered list). Returns the number of records compared (a caller can check it is > 0).
 */
export async function assertCommBytesMatchMeta(o: CommConformance): Promise<number> {
  const model = getModel(o.model);
  const parallel = resolveParallel(o.strategy, o.world, o.sp, o.tp);
  const tracer = new StrategyTracer({ model, strategy: getStrategy(o.strategy), parallel, dtypes: { weightBytes: 4, actBytes: 4, kvBytes: 4 } });
  const exec = await createWorkerExecutor({
    model: o.model, strategy: o.strategy, world: o.world, seed: 1, kvBlocks: 64, blockSize: 16, policy: alternatePolicy(),
    ...(o.sp !== undefined ? { sp: o.sp } : {}), ...(o.tp !== undefined ? { tp: o.tp } : {}),
  });
  let compared = 0;
  try {
    for (const batch of o.batches) {
      for (let step = 0; step < exec.modes.length; step++) {
        const result = await exec.step(batch);
        const meta = tracer.traceEveryRank(model.layers, result.mode, batch).map(commRecords);
        result.comm.forEach((real, rank) => {
          const where = `${o.strategy} rank ${rank} in ${JSON.stringify(result.mode)}`;
          assert.equal(commBytes(real), commBytes(meta[rank]!), `${where}: bytes per kind and group, real vs meta`);
          assert.equal(real.map(commKey), meta[rank]!.map(commKey), `${where}: records in order, real vs meta`);
          compared += real.length;
        });
      }
    }
  } finally {
    await exec.close();
  }
  return compared;
}
