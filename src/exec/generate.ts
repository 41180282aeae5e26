import { BlockPool } from '../kv/blocks.ts';
import type { ModeId } from '../parallel/mode.ts';
import type { SeqWork } from '../strategies/types.ts';
import { Rng } from '../util/rng.ts';
import { type Executor, ExecutorError } from './types.ts';

export interface GenerateOptions {
  readonly promptLens: readonly number[];
  readonly maxNewTokens: number;
  readonly seed: number;
  readonly vocab: number;
  /** Token budget of one iteration; prompts longer than what is left are chunked. */
  readonly maxBatchedTokens: number;
  readonly blockSize: number;
  readonly kvBlocks: number;
  /** Keep every iteration's logits (tests compare them with the reference). */
  readonly keepLogits?: boolean;
  /** Called after each iteration, e.g. for progress. */
  readonly onStep?: (iteration: number, mode: ModeId, tokens: number) => void;
}

export interface GenerateResult {
  readonly prompts: number[][];
  /** Generated token ids per sequence. */
  readonly tokens: number[][];
  /** Mode of each iteration. */
  readonly modes: ModeId[];
  /** Tokens scheduled in each iteration. */
  readonly scheduled: number[];
  /** Per iteration: logits by sequence id (only with keepLogits). */
  readonly logits: Map<number, Float32Array>[];
}

/** Seeded prompt token ids, one array per prompt length. */
export function makePrompts(lens: readonly number[], vocab: number, seed: number): number[][] {
  return lens.map((len, i) => {
    const rng = new Rng(`${seed}:prompt:${i}`);
    return Array.from({ length: len }, () => rng.int(0, vocab));
  });
}

export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/**
 * Greedy generation with a small vLLM-style scheduler: each iteration schedules one decode
 * token per running sequence first, then prompt chunks within the token budget, so batches
 * mix prefill chunks and decodes of several sequences. Sequence i lives on replica i mod R.
 */
export async function generate(exec: Executor, o: GenerateOptions): Promise<GenerateResult> {
  const prompts = makePrompts(o.promptLens, o.vocab, o.seed);
  const pools = Array.from({ length: exec.replicas }, () => new BlockPool(o.kvBlocks, o.blockSize));
  const seqs = prompts.map((p, id) => ({ id, replica: id % exec.replicas, all: [...p], promptLen: p.length, computed: 0, generated: 0 }));
  const result: GenerateResult = { prompts, tokens: prompts.map(() => []), modes: [], scheduled: [], logits: [] };
  while (seqs.some((s) => s.generated < o.maxNewTokens)) {
    let budget = o.maxBatchedTokens;
    const work: SeqWork[] = [];
    const running = seqs.filter((s) => s.generated < o.maxNewTokens);
    // Decodes first, then prefill chunks: vLLM v1's order.
    const ordered = [...running.filter((s) => s.computed >= s.promptLen), ...running.filter((s) => s.computed < s.promptLen)];
    for (const s of ordered) {
      const n = Math.min(s.all.length - s.computed, budget);
      if (n <= 0) continue;
      const pool = pools[s.replica]!;
      if (!pool.allocate(s.id, s.computed + n)) {
        throw new ExecutorError(`out of KV blocks: ${o.kvBlocks} blocks of ${o.blockSize} per replica are too few for these prompts`);
      }
      work.push({
        id: s.id,
        replica: s.replica,
        tokens: s.all.slice(s.computed, s.computed + n),
        start: s.computed,
        blockTable: [...pool.table(s.id)],
        sample: s.computed + n === s.all.length,
        decode: s.computed >= s.promptLen,
      });
      budget -= n;
    }
    const kvUsage = pools.reduce((a, p) => a + p.used, 0) / (o.kvBlocks * pools.length);
    const step = await exec.step({ seqs: work, waiting: 0, kvUsage });
    result.modes.push(step.mode.id);
    result.scheduled.push(o.maxBatchedTokens - budget);
    if (o.keepLogits) result.logits.push(new Map(step.logits));
    for (const w of work) {
      const s = seqs[w.id]!;
      s.computed += w.tokens.length;
      if (!w.sample) continue;
      const logits = step.logits.get(w.id);
      if (!logits) throw new ExecutorError(`${exec.name}: no logits came back for sequence ${w.id}`);
      const next = argmax(logits);
      s.all.push(next);
      result.tokens[w.id]!.push(next);
      if (++s.generated === o.maxNewTokens) pools[s.replica]!.release(s.id);
    }
    o.onStep?.(result.modes.length, step.mode.id, o.maxBatchedTokens - budget);
  }
  return result;
}
