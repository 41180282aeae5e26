import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { generate } from '../exec/generate.ts';
import { createReferenceExecutor } from '../exec/reference-executor.ts';
import type { Executor } from '../exec/types.ts';
import { createWorkerExecutor } from '../exec/worker-executor.ts';
import { modelNames } from '../model/catalog.ts';
import { openWeights, weightSpec } from '../model/weight-spec.ts';
import { policyFromSpec, policyNames } from '../policy/registry.ts';
import { defaultPolicies, getStrategy, strategiesWith, strategyNames } from '../strategies/registry.ts';
import type { StrategyName } from '../strategies/types.ts';
import { givenDegrees, withDegreeOptions } from './degree-options.ts';
import { UsageError, exitOnError } from './errors.ts';

const argv = withDegreeOptions(yargs(hideBin(process.argv)))
  .scriptName('yarn generate')
  .usage('$0 --model tiny --strategy shift --world 4 --sp 2 --tp 2 [options]\n$0 --checkpoint DIR --strategy tp --world 2 [options]\n\nGreedy generation on P worker-thread ranks (tfjs-wasm), or on the single-device reference.')
  .option('model', { type: 'string', default: 'tiny', describe: `model: ${modelNames().join(', ')} (weights are seeded random)` })
  .option('checkpoint', {
    type: 'string',
    describe: 'a Hugging Face checkpoint directory (config.json + *.safetensors; Llama or Qwen3, F32/F16/BF16) instead of --model: each rank reads only its shard',
  })
  .option('strategy', { type: 'string', default: 'single', choices: ['single', ...strategyNames()], describe: 'single = the one-device reference' })
  .option('world', { type: 'number', default: 1, describe: 'ranks P (worker threads)' })
  .option('policy', { type: 'string', describe: `switching policy (${strategiesWith('switching').join(', ')}): ${policyNames().join(', ')} (name or name:arg); default the strategy's (${defaultPolicies()})` })
  .option('hardware', { type: 'string', default: 'h200', describe: "hardware profile the policy's cost oracle prices iterations on (cost-oracle)" })
  .option('prompt-lens', { type: 'string', default: '5,17,33,64', describe: 'prompt lengths, comma-separated (prompts are seeded random tokens)' })
  .option('max-new-tokens', { type: 'number', default: 16 })
  .option('max-batched-tokens', { type: 'number', default: 64, describe: 'token budget per iteration (longer prompts are chunked)' })
  .option('block-size', { type: 'number', default: 16, describe: 'KV block size in tokens' })
  .option('seed', { type: 'number', default: 1, describe: 'seeds the prompts, and the weights of --model' })
  .option('json', { type: 'boolean', default: false, describe: 'print one JSON object: tokens, modes, …' })
  .strict()
  .help()
  .parseSync();

async function main(): Promise<void> {
  const promptLens = argv['prompt-lens'].split(',').map(Number);
  if (promptLens.some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError(`--prompt-lens must be positive integers, got '${argv['prompt-lens']}'`);
  for (const [key, v] of [['max-new-tokens', argv['max-new-tokens']], ['max-batched-tokens', argv['max-batched-tokens']], ['block-size', argv['block-size']]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--${key} must be a positive integer, got ${v}`);
  }
  const checkpoint = argv.checkpoint ? { checkpoint: argv.checkpoint } : {};
  const source = openWeights(weightSpec({ model: argv.model, seed: argv.seed, ...checkpoint }));
  source.close();
  const model = source.model;
  const blockSize = argv['block-size'];
  const kvBlocks = promptLens.reduce((a, n) => a + Math.ceil((n + argv['max-new-tokens']) / blockSize), 1);
  const exec: Executor =
    argv.strategy === 'single'
      ? createReferenceExecutor({ model: argv.model, seed: argv.seed, ...checkpoint, kvBlocks, blockSize })
      : await createWorkerExecutor({
          model: argv.model, ...checkpoint, strategy: argv.strategy as StrategyName, world: argv.world, seed: argv.seed, kvBlocks, blockSize,
          ...(argv.policy === undefined ? {} : { policy: policyFromSpec(argv.policy) }), hardware: argv.hardware, ...givenDegrees(argv),
        });
  const started = performance.now();
  const progress = process.stderr.isTTY && !argv.json;
  try {
    const r = await generate(exec, {
      promptLens, maxNewTokens: argv['max-new-tokens'], seed: argv.seed, vocab: model.vocab,
      maxBatchedTokens: argv['max-batched-tokens'], blockSize, kvBlocks,
      ...(progress ? { onStep: (i: number, mode: string, n: number) => process.stderr.write(`\riteration ${i} (${mode}, ${n} tokens)   `) } : {}),
    });
    if (progress) process.stderr.write('\n');
    const seconds = (performance.now() - started) / 1000;
    const summary = {
      model: model.name, checkpoint: argv.checkpoint ?? null, strategy: argv.strategy, world: exec.world, modes_available: exec.modes.map((m) => m.id),
      policy: strategiesWith('switching').includes(argv.strategy) ? (argv.policy ?? getStrategy(argv.strategy).switching!.defaultPolicy) : null, prompt_lens: promptLens, seed: argv.seed,
      tokens: r.tokens, modes: r.modes, scheduled: r.scheduled, seconds,
    };
    if (argv.json) {
      console.log(JSON.stringify(summary));
      return;
    }
    console.log(`${model.name} on ${argv.strategy} (P = ${exec.world}): ${r.modes.length} iterations in ${seconds.toFixed(2)} s`);
    r.tokens.forEach((t, i) => console.log(`  sequence ${i} (prompt ${promptLens[i]}): ${t.join(' ')}`));
    console.log(`  modes: ${r.modes.join(' ')}`);
  } finally {
    await exec.close();
  }
}

main().catch(exitOnError);
