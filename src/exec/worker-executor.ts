import { createLocalCommShared } from '../comm/local.ts';
import { type KvLayout, layoutFromShards } from '../kv/layout.ts';
import { assertKvUnmoved } from '../kv/unmoved.ts';
import type { Batch } from '../model/batch.ts';
import { openWeights, weightSpec } from '../model/weight-spec.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import { BF16 } from '../ops/meta.ts';
import { type Mode, type ModeId, allGroups } from '../parallel/mode.ts';
import type { SwitchPolicy } from '../policy/types.ts';
import { batchesInFlightOf } from '../strategies/deployment.ts';
import { getStrategy, resolveParallel } from '../strategies/registry.ts';
import type { StrategyName } from '../strategies/types.ts';
import { IterationCostModel } from '../cost/iteration.ts';
import type { HardwareProfile } from '../cost/profile.ts';
import { getProfile } from '../cost/profiles/index.ts';
import { shapeOfBatch } from '../engine/batch-shape.ts';
import { ModeChooser } from '../engine/mode-chooser.ts';
import type { BackendName } from './backends.ts';
import type { FromRank } from './messages.ts';
import { RankPool } from './rank-pool.ts';
import { SwitchGuard } from './switch-guard.ts';
import { type Executor, ExecutorError, type StepResult } from './types.ts';

export interface ExecutorOptions {
  /** A catalog model, with weights seeded by `seed`. */
  readonly model: string;
  /** A Hugging Face checkpoint directory: its config and weights replace `model` and `seed`. */
  readonly checkpoint?: string;
  /** Where ranks compute (default tfjs, the CPU backend). */
  readonly backend?: BackendName;
  readonly strategy: StrategyName;
  readonly world: number;
  readonly sp?: number;
  readonly tp?: number;
  readonly seed: number;
  /** KV blocks per rank (per replica for DP). */
  readonly kvBlocks: number;
  readonly blockSize: number;
  /** Shift only: picks the mode of each iteration (default: threshold 512). */
  readonly policy?: SwitchPolicy;
  /**
   * The hardware the policy's cost oracle (`state.predict`) prices iterations on, as the
   * simulator's SystemSpec.hardware: a built-in profile name or a profile. Without it a policy
   * that asks for predictions fails with a PolicyError.
   */
  readonly hardware?: string | HardwareProfile;
  /** Rank order of the full-TP group; 'naive' exists to show the switch check refusing it. */
  readonly order?: FullTpOrder;
  /** Floats per rank in the shared communication buffer. */
  readonly commCapacity?: number;
  /**
   * Debug: at every switch, read every rank's KV cache before and after the first iteration in
   * the new mode and throw KvMovedError unless every slot but that iteration's new ones is
   * bit-identical. Costs two full cache copies per switch.
   */
  readonly checkKvOnSwitch?: boolean;
  /**
   * Worker threads to borrow instead of starting `world` new ones (a pool of exactly `world`):
   * init replaces whatever rank each ran before, and close() leaves the pool open for the next
   * executor. The owner closes it.
   */
  readonly pool?: RankPool;
}

/**
 * Runs a strategy on P worker threads. The parallel config is validated before any thread
 * starts; before the first iteration in each mode after the first, the mode's KV layout as the
 * ranks report it (the heads their weights were sharded for) is verified against the first
 * mode's and the strategy's switching block proves its KV stays put (SwitchGuard), so a bad
 * switch is refused (KvLayoutError) before it produces a token.
 */
export async function createWorkerExecutor(o: ExecutorOptions): Promise<Executor> {
  const weights = weightSpec(o);
  const source = openWeights(weights);
  source.close();
  const model = source.model;
  const strategy = getStrategy(o.strategy);
  const parallel = resolveParallel(o.strategy, o.world, o.sp, o.tp);
  const order = o.order ?? 'full-tp';
  const modes = strategy.modes(model, parallel, order);
  const comm = createLocalCommShared(o.world, allGroups(modes), o.commCapacity);
  if (o.pool && o.pool.size !== o.world) throw new ExecutorError(`a borrowed pool of ${o.pool.size} ranks cannot run a world of ${o.world}`);
  const pool = o.pool ?? new RankPool(o.world);
  const release = (): Promise<void> => (o.pool ? Promise.resolve() : pool.close());
  let ready: FromRank[];
  try {
    ready = await pool.all((rank) => ({
      type: 'init', rank, backend: o.backend ?? 'tfjs', weights, strategy: o.strategy, parallel,
      kvBlocks: o.kvBlocks, blockSize: o.blockSize, order, comm,
    }));
  } catch (e) {
    await release();
    throw e;
  }
  const pools = strategy.replicas(parallel);
  const label = (m: Mode): string => m.layoutLabel;
  const layouts = new Map<ModeId, KvLayout>(
    modes.map((m) => [m.id, layoutFromShards(model, label(m), ready.map((r) => (r.type === 'ready' ? r.kvHeads[m.id]! : unreachable())), pools)]),
  );
  const geometry = { layers: model.layers, blocks: o.kvBlocks, blockSize: o.blockSize, headDim: model.headDim };
  const readKv = async (): Promise<Float32Array[]> => (await pool.all(() => ({ type: 'read-kv' }))).map((r) => (r.type === 'kv' ? r.data : unreachable()));
  // No policy given: the switching block's default (loaded on demand, as the simulator does).
  const fallback = strategy.switching?.defaultPolicy;
  const policy = o.policy ?? (fallback === undefined ? null : await (await import('../policy/registry.ts')).createPolicy(fallback));
  const chooser = new ModeChooser(modes.map((m) => m.id), policy, o.strategy, strategy.switching?.roles);
  const cost = o.hardware === undefined ? null : new IterationCostModel({
    model, strategy: o.strategy, parallel, profile: typeof o.hardware === 'string' ? getProfile(o.hardware) : o.hardware,
    dtypes: BF16, captureSizes: [],
  });
  const first = layouts.get(modes[0]!.id)!;
  const guard = new SwitchGuard(strategy, model, parallel, order, modes[0]!.id, layouts);
  let previous: Mode | null = null;
  let broken: Error | null = null;

  const choose = (batch: Batch): Mode => {
    if (chooser.fixed) return modes[0]!;
    // The simulator's summary of the same schedule: decodes are one-token steps of generated tokens.
    const shape = shapeOfBatch(batch);
    const summary = { chunks: batch.seqs.map((s) => s.tokens.length), decodeTokens: shape.decodes, waiting: batch.waiting ?? 0, kvUsage: batch.kvUsage ?? 0 };
    return modes[chooser.choose(summary, cost ? (m) => cost.time(m, shape) : undefined)]!;
  };

  return {
    name: o.strategy,
    world: o.world,
    replicas: strategy.replicas(parallel),
    batchesInFlight: batchesInFlightOf(strategy, parallel, modes),
    modes,
    kvLayout: (mode) => layouts.get(mode.id)?.ranks ?? [],
    async step(batch) {
      if (broken) throw new ExecutorError(`the executor stopped after an earlier failure: ${broken.message}`);
      const mode = choose(batch);
      guard.enter(mode.id);
      const from = previous;
      const watch = o.checkKvOnSwitch === true && from !== null && from.id !== mode.id;
      try {
        const before = watch ? await readKv() : [];
        const replies = await pool.all(() => ({ type: 'step', batch, mode }));
        if (watch) {
          assertKvUnmoved({ layout: first, geometry, seqs: batch.seqs, from: label(from), to: label(mode), before, after: await readKv() });
        }
        previous = mode;
        return collect(mode, replies);
      } catch (e) {
        broken = e as Error;
        throw e;
      }
    },
    close: release,
  };
}

function collect(mode: Mode, replies: readonly FromRank[]): StepResult {
  const logits = new Map<number, Float32Array>();
  const comm = replies.map((r) => {
    if (r.type !== 'done') return unreachable();
    if (r.logits) {
      const { seqIds, data, vocab } = r.logits;
      seqIds.forEach((id, b) => logits.set(id, data.slice(b * vocab, (b + 1) * vocab)));
    }
    return r.comm;
  });
  return { mode, logits, comm };
}

function unreachable(): never {
  throw new ExecutorError('a rank answered with an unexpected message');
}
