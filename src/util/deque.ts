/** A FIFO queue with O(1) push, shift and unshift (a growable ring buffer). */
export class Deque<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  push(x: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = x;
    this.count++;
  }

  unshift(x: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = x;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const x = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return x;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let k = 0; k < this.count; k++) next[k] = this.items[(this.head + k) % this.items.length];
    this.items = next;
    this.head = 0;
  }
}
