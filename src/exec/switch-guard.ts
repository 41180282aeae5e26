import type { KvLayout } from '../kv/layout.ts';
import { KvLayoutError, assertSwitchKeepsKv } from '../kv/switch-check.ts';
import type { Verdict } from '../kv/verify.ts';
import type { ModelConfig } from '../model/config.ts';
import type { FullTpOrder } from '../parallel/groups.ts';
import type { ModeId } from '../parallel/mode.ts';
import type { ParallelConfig, Strategy } from '../strategies/types.ts';

/**
 * Refuses a switch before its first iteration runs: the first time an executor enters a mode
 * other than its first, (1) the layout the ranks reported for it (the heads their weights were
 * sharded for) must keep every rank's KV heads of the first mode's, and (2) the strategy's
 * switching block must prove its deployment keeps every rank's KV (its declared kvProof).
 * The first catches a wrongly sharded rank, the second a strategy whose declared layouts move
 * KV. Each mode is checked once; the proof is computed at the first switch.
 */
export class SwitchGuard {
  private readonly entered = new Set<ModeId>();
  private proof: Verdict | null = null;

  constructor(
    private readonly strategy: Pick<Strategy, 'name' | 'switching'>,
    private readonly model: ModelConfig,
    private readonly parallel: ParallelConfig,
    private readonly order: FullTpOrder,
    private readonly first: ModeId,
    private readonly layouts: ReadonlyMap<ModeId, KvLayout>,
  ) {
    this.entered.add(first);
  }

  /** Throws KvLayoutError unless switching to `mode` keeps every rank's KV (a no-op once it has passed). */
  enter(mode: ModeId): void {
    if (this.entered.has(mode)) return;
    const from = this.layouts.get(this.first)!;
    const to = this.layouts.get(mode);
    if (!to) throw new KvLayoutError(`refusing to switch ${this.strategy.name} to mode '${mode}': the ranks reported no KV layout for it`);
    assertSwitchKeepsKv(from, to);
    const switching = this.strategy.switching;
    if (switching) {
      this.proof ??= switching.kvProof(this.model, this.parallel, this.order);
      if (this.proof.verdict !== 'invariant') {
        throw new KvLayoutError(`refusing to switch ${this.strategy.name} from ${from.label} to ${to.label} before it runs: its switching block's KV proof says ${this.proof.verdict}: ${this.proof.reason}`);
      }
    }
    this.entered.add(mode);
  }
}
