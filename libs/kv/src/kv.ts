/** Turns values into the strings a KV store holds and back. decode throws on a malformed value. */
export interface Codec<T> {
  encode(value: T): string;
  decode(text: string): T;
}

/**
 * A compare-and-swap update: given the current value (undefined when the key is absent), returns
 * the new value, or undefined to leave the key as it is. It may be called more than once when
 * other writers race it, so it must be a pure function of its input. Throwing aborts the update.
 */
export type CasUpdate<T> = (current: T | undefined) => T | undefined;

/** Called with the key's value on every change (and once with the current value on watch). */
export type WatchListener<T> = (value: T | undefined) => void;

/**
 * The KV store the ring lives in. Implementations: InMemoryKV (one process) and RedisKV
 * (@myelin/kv-redis). Concurrent cas calls, from this process or others, never lose each other's
 * changes: each update is applied to the value it read, or retried.
 */
export interface KVClient<T> {
  get(key: string): Promise<T | undefined>;
  /** Applies `update` atomically; resolves to the value now stored (unchanged if update said so). */
  cas(key: string, update: CasUpdate<T>): Promise<T | undefined>;
  /** Delivers changes of `key` until the returned function is called. */
  watchKey(key: string, listener: WatchListener<T>): () => void;
  close(): Promise<void>;
}

/** Where a KV implementation reports trouble it recovers from on its own (pino's Logger fits). */
export interface KVLogger {
  warn(obj: object, msg: string): void;
}
