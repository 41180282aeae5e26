import type { Llama, Token } from 'node-llama-cpp';

/**
 * llama.cpp through the node-llama-cpp package, as an independent reference: its prebuilt CPU
 * binary (the @node-llama-cpp/<platform> optional dependency) is used as installed; nothing is
 * built or downloaded at run time. Where it cannot load, `reason` says why and the tests skip.
 */
type LlamaCpp = { readonly llama: Llama; readonly reason?: undefined } | { readonly llama?: undefined; readonly reason: string };

export async function loadLlamaCpp(): Promise<LlamaCpp> {
  try {
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      usePrebuiltBinaries: true,
      skipDownload: true,
      progressLogs: false,
      logLevel: LlamaLogLevel.error,
      // One thread: the suite shares 2 cores, and a fixed split keeps the sums reproducible.
      maxThreads: 1,
    });
    return { llama };
  } catch (e) {
    return { reason: `node-llama-cpp did not load its prebuilt CPU binary (${(e as Error).message.split('\n')[0]}); npm ci installs it` };
  }
}

/**
 * Teacher-forced logits at every position of `tokens` (row p scores the token after p), in one
 * sequence, with float32 weights and KV cache and no flash attention, so llama.cpp computes in
 * float32 throughout.
 */
export async function llamaCppLogits(llama: Llama, gguf: string, tokens: readonly number[], vocab: number): Promise<Float32Array[]> {
  const model = await llama.loadModel({ modelPath: gguf, gpuLayers: 0 });
  try {
    const context = await model.createContext({
      contextSize: Math.max(256, tokens.length),
      batchSize: tokens.length,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
      threads: 1,
    });
    try {
      const out = await context.getSequence().controlledEvaluate(tokens.map((t) => [t as Token, { generateNext: { logits: true } }]));
      // Array.from, not out.map: map skips holes, and a release that returns no result for a
      // position must fail here rather than yield an empty (vacuously matching) reference.
      return Array.from(out, (r, p) => {
        const logits = r?.next.logits;
        if (!logits || logits.size !== vocab) throw new Error(`llama.cpp returned ${logits?.size ?? 'no'} logits at position ${p}, expected ${vocab}`);
        const row = new Float32Array(vocab);
        for (const [token, value] of logits) row[token] = value;
        return row;
      });
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
