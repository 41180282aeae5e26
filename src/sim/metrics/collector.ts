import { BreakdownSum } from '../../cost/breakdown.ts';
import type { ModeId } from '../../parallel/mode.ts';
import type { TraceRequest } from '../../traces/types.ts';
import type { SimRequest } from '../request.ts';
import type { TokenSink } from '../../engine/scheduler.ts';
import type { RequestRow, SimOptions, Slo } from '../types.ts';
import { Distribution } from './distribution.ts';
import { InFlightTracker } from './in-flight.ts';
import { QueueTracker } from './queue.ts';

/**
 * Aggregates a run in bounded memory: latency distributions (vLLM benchmark definitions),
 * token and request counts, iteration statistics and the time breakdown. Per-request and
 * per-iteration rows go to the caller's sinks and are not kept.
 *
 *   TTFT  first token − arrival        E2E  last token − arrival
 *   TPOT  (E2E − TTFT) / (output − 1), per request, one-token requests excluded
 *   ITL   time between consecutive tokens of a request
 *
 * A request's front-end time (the profile's engine.frontend_s: HTTP / OpenAI server,
 * tokenizing, detokenizing and streaming the first token) is paid outside the GPU timeline: it
 * is added to the client's TTFT and E2E (and so to its completion time) but delays no iteration.
 */
export class MetricsCollector implements TokenSink<SimRequest> {
  readonly ttft = new Distribution();
  readonly tpot = new Distribution();
  readonly itl = new Distribution();
  readonly e2e = new Distribution();
  readonly queue = new QueueTracker();
  readonly inFlight = new InFlightTracker();
  readonly breakdown = new BreakdownSum();
  readonly rejections = new Map<string, number>();
  readonly byMode = new Map<ModeId, number>();
  arrived = 0;
  finished = 0;
  rejected = 0;
  good = 0;
  inputTokens = 0;
  outputTokens = 0;
  firstArrival = Infinity;
  lastCompletion = -Infinity;
  iterations = 0;
  busy = 0;
  preemptions = 0;
  switches = 0;

  constructor(
    private readonly o: SimOptions,
    private readonly frontendS = 0,
  ) {}

  arrival(time: number, waiting: number): void {
    this.arrived++;
    if (time < this.firstArrival) this.firstArrival = time;
    this.queue.sample(time, waiting);
    this.inFlight.arrive(time);
  }

  reject(req: TraceRequest, reason: string): void {
    this.rejected++;
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
    this.inFlight.depart(req.arrival);
    this.o.onReject?.(req, reason);
  }

  /** `r` sampled a token at `now`: stamps its first and latest token times. */
  token(r: SimRequest, now: number): void {
    if (r.firstToken < 0) r.firstToken = now;
    if (r.generated > 1) this.itl.add(now - r.lastToken);
    this.o.onToken?.(r.id, now + this.frontendS); // the client's view, like the request row's times
    r.lastToken = now;
  }

  finish(r: SimRequest): void {
    const ttft = r.firstToken - r.arrival + this.frontendS;
    const e2e = r.lastToken - r.arrival + this.frontendS;
    const tpot = r.output > 1 ? (e2e - ttft) / (r.output - 1) : NaN;
    this.finished++;
    this.inFlight.departLater(r.lastToken + this.frontendS);
    this.inputTokens += r.input;
    this.outputTokens += r.output;
    if (r.lastToken + this.frontendS > this.lastCompletion) this.lastCompletion = r.lastToken + this.frontendS;
    this.ttft.add(ttft);
    this.e2e.add(e2e);
    if (r.output > 1) this.tpot.add(tpot);
    const slo = this.o.slo;
    if (slo && ttft * 1e3 <= slo.ttft_ms && (r.output <= 1 || tpot * 1e3 <= slo.tpot_ms)) this.good++;
    this.o.onRequest?.(requestRow(r, ttft, tpot, e2e, this.frontendS));
  }

  iteration(mode: ModeId, start: number, end: number, preempted: number, switched: boolean): void {
    this.iterations++;
    this.busy += end - start;
    this.preemptions += preempted;
    this.byMode.set(mode, (this.byMode.get(mode) ?? 0) + 1);
    if (switched) this.switches++;
  }

  duration(): number {
    return this.finished > 0 ? this.lastCompletion - this.firstArrival : 0;
  }

  goodput(slo: Slo | undefined): { slo: Slo; requests: number; fraction: number; req_s: number } | null {
    if (!slo) return null;
    const d = this.duration();
    return { slo, requests: this.good, fraction: this.finished ? this.good / this.finished : 0, req_s: d > 0 ? this.good / d : 0 };
  }
}

/** The client's view: first token and finish include the front-end time. */
function requestRow(r: SimRequest, ttft: number, tpot: number, e2e: number, frontend: number): RequestRow {
  return {
    id: r.id, replica: r.replica, arrival: r.arrival, input: r.input, output: r.output, first_token: r.firstToken + frontend,
    finish: r.lastToken + frontend, ttft, tpot, e2e, preemptions: r.preemptions, cached_tokens: r.cachedTokens,
  };
}
