import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Batch, SeqWork } from '../src/model/batch.ts';
import { iterationState } from '../src/policy/state.ts';
import { createPolicy, policyFromSpec, policyNames } from '../src/policy/registry.ts';
import { PolicyError, type ModeId, type SwitchPolicy } from '../src/policy/types.ts';
import { Rng } from '../src/util/rng.ts';

/** Hand-made iterations: `decodes` one-token sequences plus prefill chunks of the given sizes. */
function batch(decodes: number, chunks: number[] = [], extra: Partial<Batch> = {}): Batch {
  const seq = (id: number, n: number, decode: boolean): SeqWork => ({ id, replica: 0, tokens: Array(n).fill(1), start: 100, blockTable: [], sample: true, decode });
  return { seqs: [...Array.from({ length: decodes }, (_, i) => seq(i, 1, true)), ...chunks.map((n, i) => seq(decodes + i, n, false))], ...extra };
}

/** The mode ids of Shift's switching block. */
const SHIFT_MODES = ['tp', 'sp'];

function decide(p: SwitchPolicy, b: Batch, history: ModeId[] = [], oracle?: (m: ModeId) => number): ModeId {
  return p.decide(iterationState(b, history.length, history, oracle, SHIFT_MODES));
}

const builtins = suite('built-in policies decide on hand-made states');

builtins('threshold: total scheduled tokens <= T runs full TP (default 512)', () => {
  const p = policyFromSpec('threshold');
  assert.is(decide(p, batch(512)), 'tp');
  assert.is(decide(p, batch(511, [2])), 'sp');
  assert.is(decide(policyFromSpec('threshold:64'), batch(10, [54])), 'tp');
  assert.is(decide(policyFromSpec('threshold:64'), batch(10, [55])), 'sp');
});

builtins('per-request: one long chunk forces SP, many decodes do not', () => {
  const p = policyFromSpec('per-request:64');
  assert.is(decide(p, batch(1000)), 'tp');
  assert.is(decide(p, batch(3, [64, 64])), 'tp');
  assert.is(decide(p, batch(3, [65])), 'sp');
});

builtins('hysteresis: two thresholds and a minimum dwell', async () => {
  const p = await createPolicy({ name: 'hysteresis', low: 100, high: 200, min_dwell: 2 });
  assert.is(decide(p, batch(150), ['tp', 'tp']), 'tp'); // between thresholds: stay
  assert.is(decide(p, batch(150), ['sp', 'sp']), 'sp');
  assert.is(decide(p, batch(201), ['tp', 'tp']), 'sp'); // above high: leave TP
  assert.is(decide(p, batch(201), ['sp', 'tp']), 'tp'); // but not before dwelling 2 iterations
  assert.is(decide(p, batch(100), ['tp', 'sp', 'sp']), 'tp'); // at or below low: back to TP
  assert.is(decide(p, batch(50), [], undefined), 'tp');
  assert.is(decide(p, batch(500), []), 'sp');
});

builtins("presets choose the switching block's declared roles, not Shift's ids", async () => {
  // A switching block with modes 'narrow' (latency) and 'wide' (throughput): the same decisions
  // as the Shift cases above, under the other ids.
  const roles = { latency: 'narrow', throughput: 'wide' };
  const under = (p: SwitchPolicy, b: Batch, history: ModeId[] = [], oracle?: (m: ModeId) => number): ModeId =>
    p.decide(iterationState(b, history.length, history, oracle, ['wide', 'narrow'], roles));
  assert.is(under(policyFromSpec('threshold'), batch(512)), 'narrow');
  assert.is(under(policyFromSpec('threshold'), batch(511, [2])), 'wide');
  assert.is(under(policyFromSpec('per-request:64'), batch(1000)), 'narrow');
  assert.is(under(policyFromSpec('per-request:64'), batch(3, [65])), 'wide');
  const h = await createPolicy({ name: 'hysteresis', low: 100, high: 200, min_dwell: 2 });
  assert.is(under(h, batch(150), ['narrow', 'narrow']), 'narrow');
  assert.is(under(h, batch(201), ['narrow', 'narrow']), 'wide');
  assert.is(under(h, batch(201), ['wide', 'narrow']), 'narrow');
  assert.is(under(h, batch(100), ['narrow', 'wide', 'wide']), 'narrow');
  assert.is(under(h, batch(500), []), 'wide');
  const oracle = (m: ModeId): number => (m === 'narrow' ? 0.010 : 0.0105);
  assert.is(under(await createPolicy('cost-oracle'), batch(8), ['wide'], oracle), 'narrow');
  assert.is(under(await createPolicy({ name: 'cost-oracle', switch_penalty: 0.1 }), batch(8), ['wide'], oracle), 'wide');
  assert.equal([0, 1, 2].map((k) => under(policyFromSpec('alternate'), batch(1), Array(k).fill('wide'))), ['wide', 'narrow', 'wide']);
});

builtins('cost-oracle: the cheaper predicted mode; the switch penalty makes it sticky', async () => {
  const oracle = (m: ModeId): number => (m === 'tp' ? 0.010 : 0.0105);
  assert.is(decide(await createPolicy('cost-oracle'), batch(8), ['sp'], oracle), 'tp');
  assert.is(decide(await createPolicy({ name: 'cost-oracle', switch_penalty: 0.1 }), batch(8), ['sp'], oracle), 'sp');
  assert.throws(() => decide(policyFromSpec('cost-oracle'), batch(8)), (e: Error) => e instanceof PolicyError && /no cost model/.test(e.message));
});

builtins('always-tp and always-sp ignore the state', () => {
  const rng = new Rng('always');
  for (let k = 0; k < 50; k++) {
    const b = batch(rng.int(0, 2000), [rng.int(1, 5000)]);
    assert.is(decide(policyFromSpec('always-tp'), b), 'tp');
    assert.is(decide(policyFromSpec('always-sp'), b), 'sp');
  }
});

builtins('threshold agrees with its expr equivalent on random states', () => {
  const rng = new Rng('expr-vs-threshold');
  const t = policyFromSpec('threshold:300');
  const e = policyFromSpec('expr:total_tokens <= 300');
  for (let k = 0; k < 300; k++) {
    const b = batch(rng.int(0, 400), Array.from({ length: rng.int(0, 3) }, () => rng.int(1, 200)));
    assert.is(decide(e, b), decide(t, b));
  }
});

builtins('expr: variables of the state, booleans only', () => {
  const p = policyFromSpec('expr:decode_tokens <= 256 and max_chunk <= 64');
  assert.is(decide(p, batch(256, [64])), 'tp');
  assert.is(decide(p, batch(257, [1])), 'sp');
  assert.is(decide(p, batch(10, [65])), 'sp');
  const q = policyFromSpec('expr:waiting < 4 and kv_usage < 0.9');
  assert.is(decide(q, batch(1, [], { waiting: 3, kvUsage: 0.5 })), 'tp');
  assert.is(decide(q, batch(1, [], { waiting: 3, kvUsage: 0.95 })), 'sp');
  const costly = policyFromSpec('expr:predicted_tp_ms <= predicted_sp_ms');
  assert.is(decide(costly, batch(1), [], (m) => (m === 'tp' ? 0.002 : 0.003)), 'tp');
  assert.throws(() => decide(policyFromSpec('expr:total_tokens + 1'), batch(3)), /gave 4 at iteration 0.*true \(full TP\) or false/);
});

builtins.run();

const errors = suite('policy errors');

errors('expr names an unknown variable and lists the known ones', () => {
  assert.throws(() => policyFromSpec('expr:decode_tokens <= 256 and max_chunks <= 64'), (e: Error) => e instanceof PolicyError && /unknown variable 'max_chunks'/.test(e.message) && /max_chunk,/.test(e.message));
  assert.throws(() => policyFromSpec('expr:decode_tokens <= '), /cannot parse/);
});

errors('unknown policies and bad parameters name the key path', async () => {
  assert.throws(() => policyFromSpec('fastest'), /unknown policy 'fastest'.*threshold/);
  await createPolicy({ name: 'hysteresis', low: 500, high: 100 }, { where: ['systems', 3, 'policy'] }).then(
    () => assert.unreachable('accepted low > high'),
    (e: Error) => assert.match(e.message, 'systems[3].policy.low: low must not exceed high'),
  );
  await createPolicy({ name: 'threshold', treshold: 5 }, { where: ['policy'] }).then(
    () => assert.unreachable('accepted a misspelt key'),
    (e: Error) => assert.match(e.message, /treshold/),
  );
  assert.ok(policyNames().includes('per-request') && policyNames().includes('expr'));
});

errors('a user module loads; failures name the module and the iteration', async () => {
  const dir = new URL('.', import.meta.url).pathname;
  const example = await createPolicy({ module: '../examples/policies/queue-aware.ts', params: { threshold: 100, queue: 2 } }, { baseDir: dir });
  assert.is(decide(example, batch(50, [], { waiting: 0 })), 'tp');
  assert.is(decide(example, batch(50, [], { waiting: 5 })), 'sp');
  assert.is(decide(example, batch(150)), 'sp');
  const throws = await createPolicy({ module: 'fixtures/policies/throws-at-3.ts' }, { baseDir: dir });
  assert.is(decide(throws, batch(1), ['tp', 'tp']), 'tp');
  assert.throws(() => decide(throws, batch(1), ['tp', 'tp', 'tp']), /fixtures\/policies\/throws-at-3.ts threw at iteration 3: no idea/);
  const bad = await createPolicy({ module: 'fixtures/policies/bad-answer.ts' }, { baseDir: dir });
  assert.throws(() => decide(bad, batch(1)), /returned "fast" at iteration 0/);
  for (const [file, pattern] of [['fixtures/policies/fails-to-load.ts', /failed to load: missing configuration file/], ['fixtures/policies/nowhere.ts', /nowhere.ts .* failed to load/]] as const) {
    await createPolicy({ module: file }, { baseDir: dir }).then(() => assert.unreachable(file), (e: Error) => assert.match(e.message, pattern));
  }
});

errors.run();
