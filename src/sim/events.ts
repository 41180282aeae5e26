/**
 * The simulator's event queue: a binary heap ordered by (time, type, sequence), so ties break the
 * same way on every run. Arrivals are not stored here (they are read lazily from the request
 * stream and, at equal times, come before every queued event).
 */
export const EventType = {
  /** An engine's iteration ends; it starts the next one at once if it has work. */
  StepEnd: 1,
  /** An engine may start an iteration: it received work while idle, or (batches in flight) its first stage freed. */
  Wake: 2,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface SimEvent {
  readonly time: number;
  readonly type: EventType;
  readonly seq: number;
  readonly engine: number;
}

function before(a: SimEvent, b: SimEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.type !== b.type) return a.type < b.type;
  return a.seq < b.seq;
}

export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, type: EventType, engine: number): void {
    const h = this.heap;
    h.push({ time, type, seq: this.seq++, engine });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  peek(): SimEvent | undefined {
    return this.heap[0];
  }

  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
