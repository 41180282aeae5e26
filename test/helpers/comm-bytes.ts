import * as assert from 'uvu/assert';
import { StrategyTracer } from '../../src/cost/tracer.ts';
import type { Executor } from '../../src/exec/types.ts';
import type { Batch } from '../../src/model/batch.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import type { CommRecord, OpRecord } from '../../src/ops/trace.ts';
import type { ParallelConfig, Strategy } from '../../src/strategies/types.ts';

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
  readonly model: ModelConfig;
  readonly strategy: Strategy;
  readonly parallel: ParallelConfig;
  /** Batches to run; each runs once per mode of the strategy (the executor's policy must cycle them). */
  readonly batches: readonly Batch[];
}

/**
 * Runs each batch `exec.modes.length` times on the worker executor and asserts, for every rank,
 * that the records its communicator made equal the meta trace of that rank (bytes per kind and
 * group, then the whole ordered list). Returns the number of records compared (a caller can
 * check it is > 0) and the modes that ran.
 */
export async function assertCommBytesMatchMeta(exec: Executor, o: CommConformance): Promise<{ compared: number; modes: string[] }> {
  const { model } = o;
  const tracer = new StrategyTracer({ model, strategy: o.strategy, parallel: o.parallel, dtypes: { weightBytes: 4, actBytes: 4, kvBytes: 4 } });
  let compared = 0;
  const modes: string[] = [];
  for (const batch of o.batches) {
    for (let step = 0; step < exec.modes.length; step++) {
      const result = await exec.step(batch);
      modes.push(result.mode.id);
      const meta = tracer.traceEveryRank(model.layers, result.mode, batch).map(commRecords);
      result.comm.forEach((real, rank) => {
        const where = `${o.strategy.name} rank ${rank} in ${result.mode.label}`;
        assert.equal(commBytes(real), commBytes(meta[rank]!), `${where}: bytes per kind and group, real vs meta`);
        assert.equal(real.map(commKey), meta[rank]!.map(commKey), `${where}: records in order, real vs meta`);
        compared += real.length;
      });
    }
  }
  return { compared, modes };
}
