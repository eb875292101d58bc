import type { CasUpdate, Codec, KVClient, WatchListener } from './kv';

/**
 * A KV store inside one process: the ring store of the single-process mode, and of unit tests.
 * Values are kept encoded, so no caller can mutate what another one reads. Listeners are called
 * asynchronously, in order, never from inside cas.
 */
export class InMemoryKV<T> implements KVClient<T> {
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, Set<WatchListener<T>>>();
  private closed = false;

  constructor(private readonly codec: Codec<T>) {}

  async get(key: string): Promise<T | undefined> {
    this.assertOpen();
    const text = this.values.get(key);
    return text === undefined ? undefined : this.codec.decode(text);
  }

  async cas(key: string, update: CasUpdate<T>): Promise<T | undefined> {
    this.assertOpen();
    // No await between read and write: nothing else in this process can interleave.
    const text = this.values.get(key);
    const current = text === undefined ? undefined : this.codec.decode(text);
    const next = update(current);
    if (next === undefined) return current;
    const encoded = this.codec.encode(next);
    this.values.set(key, encoded);
    this.notify(key, encoded);
    return this.codec.decode(encoded);
  }

  watchKey(key: string, listener: WatchListener<T>): () => void {
    this.assertOpen();
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    const text = this.values.get(key);
    queueMicrotask(() => {
      if (set.has(listener)) listener(text === undefined ? undefined : this.codec.decode(text));
    });
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  private notify(key: string, encoded: string): void {
    const set = this.listeners.get(key);
    if (!set || set.size === 0) return;
    queueMicrotask(() => {
      for (const listener of set) listener(this.codec.decode(encoded));
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('KV store closed');
  }
}
