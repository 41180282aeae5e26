/**
 * CUDA-graph padding (vLLM V1): batches of at most the largest capture size run a captured graph
 * of the next capture size up, so their non-attention work is done on padded tokens.
 * Capture sizes [1, 2, 4] + range(8, 513, 8) (vLLM V1 gpu_model_runner; CALIBRATION §5), capped
 * by max_num_batched_tokens.
 */
export function defaultCaptureSizes(maxNumBatchedTokens = Infinity): number[] {
  const sizes = [1, 2, 4];
  for (let s = 8; s <= 512; s += 8) sizes.push(s);
  return sizes.filter((s) => s <= maxNumBatchedTokens);
}

/** The smallest capture size ≥ n, or n itself when n exceeds the largest (eager run). */
export function padForGraph(sizes: readonly number[], n: number): number {
  if (sizes.length === 0 || n > sizes[sizes.length - 1]!) return n;
  let lo = 0;
  let hi = sizes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sizes[mid]! >= n) hi = mid;
    else lo = mid + 1;
  }
  return sizes[lo]!;
}

/**
 * Tokens the model runs for N scheduled tokens. SP (ArcticInference model_runner.execute_model):
 * round N up to a multiple of s, and when the per-rank share fits a graph, pad that share. Other
 * modes pad N itself.
 */
export function paddedTokens(sizes: readonly number[], n: number, sp: number): number {
  if (n === 0) return 0;
  if (sp <= 1) return padForGraph(sizes, n);
  const perRank = Math.ceil(n / sp);
  return padForGraph(sizes, perRank) * sp;
}
