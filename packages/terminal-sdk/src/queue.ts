/**
 * The outbox: messages waiting to be sent, oldest first. It is bounded because a terminal offline for
 * days must not run out of memory; when full, the oldest message goes, since fresh state is worth more
 * to the platform than stale state, and the loss is counted so it can be reported.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('queue capacity must be a positive integer');
  }

  get size(): number {
    return this.items.length;
  }

  /** How many messages were dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  push(item: T): void {
    this.items.push(item);
    this.trim();
  }

  /** Removes and returns up to `n` of the oldest items. */
  take(n: number): T[] {
    return this.items.splice(0, n);
  }

  /** Puts items that could not be sent back in front, keeping their order. */
  returnToFront(items: readonly T[]): void {
    this.items.unshift(...items);
    this.trim();
  }

  private trim(): void {
    const excess = this.items.length - this.capacity;
    if (excess > 0) {
      this.items.splice(0, excess);
      this.droppedCount += excess;
    }
  }
}
