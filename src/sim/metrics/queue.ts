/**
 * Does the waiting queue stay bounded? Samples (time, waiting requests) at every arrival into at
 * most `cap` points (merging neighbours and doubling the stride when full: bounded memory for any
 * trace length), then fits a line to the second half of the arrival window.
 *
 *   growth     requests per second the queue gains over that half (least squares)
 *   bounded    growth × half-window < 5% of the requests that arrived in it (+1): a system that
 *              keeps up leaves at most a few percent of arrivals waiting at the end
 * A heuristic, reported with the numbers it is made of.
 */
export interface QueueStats {
  readonly max_waiting: number;
  readonly mean_waiting: number;
  readonly waiting_at_last_arrival: number;
  readonly growth_req_per_s: number;
  readonly bounded: boolean;
}

export class QueueTracker {
  private t: number[] = [];
  private w: number[] = [];
  private weight: number[] = [];
  private stride = 1;
  private acc = { t: 0, w: 0, n: 0 };
  private max = 0;
  private sum = 0;
  private count = 0;
  private last = 0;

  constructor(private readonly cap = 1024) {}

  sample(time: number, waiting: number): void {
    this.max = Math.max(this.max, waiting);
    this.sum += waiting;
    this.count++;
    this.last = waiting;
    this.acc.t += time;
    this.acc.w += waiting;
    this.acc.n++;
    if (this.acc.n < this.stride) return;
    this.t.push(this.acc.t / this.acc.n);
    this.w.push(this.acc.w / this.acc.n);
    this.weight.push(this.acc.n);
    this.acc = { t: 0, w: 0, n: 0 };
    if (this.t.length >= this.cap) this.halve();
  }

  stats(): QueueStats {
    const n = this.t.length;
    if (n < 4) return { max_waiting: this.max, mean_waiting: this.mean(), waiting_at_last_arrival: this.last, growth_req_per_s: 0, bounded: true };
    const mid = (this.t[0]! + this.t[n - 1]!) / 2;
    let [sw, st, sy, stt, sty, arrivals] = [0, 0, 0, 0, 0, 0];
    for (let k = 0; k < n; k++) {
      if (this.t[k]! < mid) continue;
      const [t, y, m] = [this.t[k]!, this.w[k]!, this.weight[k]!];
      sw += m;
      st += m * t;
      sy += m * y;
      stt += m * t * t;
      sty += m * t * y;
      arrivals += m;
    }
    const denom = sw * stt - st * st;
    const growth = denom > 0 ? (sw * sty - st * sy) / denom : 0;
    const half = this.t[n - 1]! - mid;
    return {
      max_waiting: this.max,
      mean_waiting: this.mean(),
      waiting_at_last_arrival: this.last,
      growth_req_per_s: growth,
      bounded: growth * half < 0.05 * arrivals + 1,
    };
  }

  private mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  private halve(): void {
    const [t, w, m] = [this.t, this.w, this.weight];
    this.t = [];
    this.w = [];
    this.weight = [];
    for (let k = 0; k + 1 < t.length; k += 2) {
      const total = m[k]! + m[k + 1]!;
      this.t.push((t[k]! * m[k]! + t[k + 1]! * m[k + 1]!) / total);
      this.w.push((w[k]! * m[k]! + w[k + 1]! * m[k + 1]!) / total);
      this.weight.push(total);
    }
    this.stride *= 2;
  }
}
