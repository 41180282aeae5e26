/**
 * The most requests in the system at once (arrived, not yet finished), in O(1) memory: the
 * simulator reports arrivals and departures in time order (arrivals first at equal times), so
 * the count at an instant is final once a later instant is seen.
 *
 * A request occupies [arrival, finish): one finishing exactly when another arrives does not
 * overlap it, and a rejected request (departing at its arrival) never counts. So 1 proves a
 * latency workload ran one request at a time.
 */
export class InFlightTracker {
  private open = 0;
  private most = 0;
  private now = -Infinity;
  private arrivedNow = false;

  arrive(time: number): void {
    this.advance(time);
    this.open++;
    this.arrivedNow = true;
  }

  depart(time: number): void {
    this.advance(time);
    this.open--;
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
