import { Deque } from '../../util/deque.ts';

/**
 * The most requests in the system at once (arrived, not yet finished), in O(1) memory: the
 * simulator reports arrivals and departures in time order (arrivals first at equal times), so
 * the count at an instant is final once a later instant is seen.
 *
 * A request occupies [arrival, finish): one finishing exactly when another arrives does not
 * overlap it, and a rejected request (departing at its arrival) never counts. So 1 proves a
 * latency workload ran one request at a time.
 *
 * `departLater` takes a departure that lies after the simulator's present (a finish as the client
 * sees it, the profile's front-end time after the last token): it is held until an arrival or the
 * result passes it. Such departures come in time order, so a FIFO of the requests still in flight
 * holds them.
 */
export class InFlightTracker {
  private readonly later = new Deque<number>();
  private lastLater = -Infinity;
  private open = 0;
  private most = 0;
  private now = -Infinity;
  private arrivedNow = false;

  arrive(time: number): void {
    while (this.later.length > 0 && this.later.peek()! <= time) this.depart(this.later.shift()!);
    this.advance(time);
    this.open++;
    this.arrivedNow = true;
  }

  depart(time: number): void {
    this.advance(time);
    this.open--;
  }

  /** A departure at `time`, which may lie after the next arrivals; not before an earlier one. */
  departLater(time: number): void {
    const last = this.lastLater;
    if (time < last) throw new RangeError(`in-flight departures out of order: ${time} after ${last} (simulator bug)`);
    this.lastLater = time;
    this.later.push(time);
  }

  /** The maximum so far, including the latest instant. */
  max(): number {
    return Math.max(this.most, this.arrivedNow ? this.open : 0);
  }

  private advance(time: number): void {
    if (time === this.now) return;
    // The count peaks at arrival instants, after every arrival and departure of that instant.
    if (this.arrivedNow) this.most = Math.max(this.most, this.open);
    this.now = time;
    this.arrivedNow = false;
  }
}
