/**
 * A least-recently-used map bounded by the bytes its values take (each value's size is given when
 * it is set): Cortex's in-memory index and chunks caches. A value larger than the whole budget is
 * not kept. Hits and misses are counted for the caller's metrics.
 */
export class LruCache<V> {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, { value: V; size: number }>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V, size: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.size;
    }
    if (size > this.maxBytes) return;
    this.entries.set(key, { value, size });
    this.used += size;
    for (const [oldest, e] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= e.size;
    }
  }

  /** Bytes the kept values take, by the sizes they were set with. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }
}
