import type { TraceRequest, RequestStream } from '../traces/types.ts';
import { engineBatchesInFlight } from '../parallel/cost-shape.ts';
import { getStrategy } from '../strategies/registry.ts';
import { peakKvTokens } from '../engine/sequence.ts';
import { Engine } from './engine.ts';
import { TraceOrderError } from './errors.ts';
import { EventQueue, EventType } from './events.ts';
import { MetricsCollector } from './metrics/collector.ts';
import { SimRequest } from './request.ts';
import { type Deployment, createDeployment } from './system.ts';
import type { SimOptions, SimResult, SystemSpec } from './types.ts';

/**
 * Replays a request stream through one deployment and returns its aggregate metrics.
 *
 * Discrete events in simulated seconds, ordered by (time, type, sequence): arrivals (read lazily
 * from the stream, one ahead, so a trace of any length replays in bounded memory) come first at
 * equal times, then iteration ends (the engine starts its next iteration at once), then wake-ups
 * of idle engines that received work. Same inputs, same result, every run.
 */
export async function simulate(spec: SystemSpec, stream: RequestStream, options: SimOptions = {}): Promise<SimResult> {
  const deployment = await createDeployment(spec);
  const metrics = new MetricsCollector(options, deployment.profile.engine.frontend_s ?? 0);
  const events = new EventQueue();
  // The pipeline depth of the shapes the cost model prices with (its trace cache's strategy).
  const { cost } = deployment;
  const stages = engineBatchesInFlight(cost.modes.map((m, i) => ({ mode: m.id, shape: cost.costShape(i) })));
  const roles = getStrategy(spec.strategy).switching?.roles;
  const engines = Array.from({ length: deployment.replicas }, (_, i) => new Engine(i, {
    cost, policy: deployment.policy, settings: deployment.settings, blocks: deployment.memory.blocks, metrics, options, events, stages, roles,
  }));
  await run(deployment, engines, events, stream, metrics);
  // Conservation: every request has finished or was rejected, so every KV block is back in its pool.
  for (const e of engines) {
    if (e.kv.used !== 0 || e.hasWork) throw new Error(`engine ${e.index}: ${e.kv.used} KV blocks still allocated after the run (hasWork ${e.hasWork}): simulator bug`);
  }
  return summarize(deployment, engines, metrics, options);
}

async function run(d: Deployment, engines: readonly Engine[], events: EventQueue, stream: RequestStream, metrics: MetricsCollector): Promise<void> {
  const it = stream[Symbol.asyncIterator]();
  let next = await it.next();
  let lastArrival = -Infinity;
  for (;;) {
    const ev = events.peek();
    if (!next.done && (!ev || next.value.arrival <= ev.time)) {
      const req = next.value;
      if (!(req.arrival >= lastArrival)) {
        throw new TraceOrderError(`request ${req.id} arrives at ${req.arrival} s, before the previous one (${lastArrival} s); streams must be in arrival order`);
      }
      lastArrival = req.arrival;
      arrive(d, engines, req, metrics);
      next = await it.next();
      continue;
    }
    if (!ev) break;
    events.pop();
    const engine = engines[ev.engine]!;
    if (ev.type === EventType.StepEnd) engine.finish(ev.time);
    else engine.wake(ev.time);
  }
}

/** Admits a request to the engine its router picks (which wakes if idle), or rejects it. */
function arrive(d: Deployment, engines: readonly Engine[], req: TraceRequest, metrics: MetricsCollector): void {
  metrics.arrival(req.arrival, engines.reduce((a, e) => a + e.waitingCount, 0));
  const reason = rejection(d, req);
  if (reason) {
    metrics.reject(req, reason);
    return;
  }
  const engine = engines[engines.length === 1 ? 0 : d.router.route(req, engines)]!;
  engine.admit(new SimRequest(req.id, req.arrival, req.input, req.output, engine.index, req.hashIds), req.arrival);
}

/** Why a request can never be served, or null. The KV check uses its largest context. */
function rejection(d: Deployment, req: TraceRequest): string | null {
  if (!(req.input >= 1 && req.output >= 1) || !Number.isInteger(req.input) || !Number.isInteger(req.output)) {
    return 'input and output must be positive integers';
  }
  const total = req.input + req.output;
  if (total > d.settings.max_model_len) return `prompt + output exceed max_model_len (${d.settings.max_model_len} tokens)`;
  const { blocks, blockSize } = d.memory;
  if (Math.ceil(peakKvTokens(req.input, req.output) / blockSize) > blocks) return `prompt + output exceed the KV cache of an engine (${blocks * blockSize} tokens)`;
  return null;
}

function summarize(d: Deployment, engines: readonly Engine[], m: MetricsCollector, o: SimOptions): SimResult {
  const duration = m.duration();
  const s = d.spec;
  return {
    system: s.name,
    strategy: s.strategy,
    world: d.parallel.world,
    sp: d.parallel.sp,
    tp: d.parallel.tp,
    model: d.model.name,
    hardware: d.profile.name,
    policy: d.policy?.name ?? null,
    ttft_ms: m.ttft.summary(1e3),
    tpot_ms: m.tpot.summary(1e3),
    itl_ms: m.itl.summary(1e3),
    e2e_ms: m.e2e.summary(1e3),
    percentiles: { ttft_ms: m.ttft.method(), tpot_ms: m.tpot.method(), itl_ms: m.itl.method(), e2e_ms: m.e2e.method() },
    throughput_tok_s: duration > 0 ? (m.inputTokens + m.outputTokens) / duration : 0,
    requests: { finished: m.finished, rejected: m.rejected, arrived: m.arrived },
    switches: m.switches,
    max_in_flight: m.inFlight.max(),
    rejections: Object.fromEntries(m.rejections),
    goodput: m.goodput(o.slo),
    duration_s: duration,
    tokens: { input: m.inputTokens, output: m.outputTokens },
    queue: m.queue.stats(),
    iterations: { count: m.iterations, by_mode: Object.fromEntries(m.byMode), busy_s: m.busy },
    breakdown: m.breakdown.toJSON(),
    preemptions: m.preemptions,
    kv: {
      blocks_per_replica: d.memory.blocks, replicas: d.replicas, block_size: d.memory.blockSize,
      max_blocks_used: Math.max(...engines.map((e) => e.kv.maxUsed)),
    },
    memory: d.memory,
    settings: d.settings,
  };
}
