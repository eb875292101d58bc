import Redis from 'ioredis';
import type { CasUpdate, Codec, KVClient, KVLogger, WatchListener } from '@myelin/kv';

export interface RedisKVOptions<T> {
  /** host:port */
  address: string;
  password?: string;
  /** Prepended to every key, e.g. `collectors/`. */
  keyPrefix: string;
  codec: Codec<T>;
  logger: KVLogger;
  /** Watchers re-read their keys this often even without a notification (missed messages, outages). */
  resyncPeriodMs: number;
  /** Attempts of one cas before it gives up under contention. */
  maxCasRetries?: number;
}

/**
 * Compare-and-swap on a hash {v: version, d: data}: applies only if the version is still the one
 * the caller read, then bumps it and publishes the new version on the key's channel. One script
 * call is atomic in Redis, so it needs no connection of its own (unlike WATCH/MULTI).
 */
const CAS_SCRIPT = `
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '') ~= ARGV[1] then return 0 end
local nv = (tonumber(v) or 0) + 1
redis.call('HSET', KEYS[1], 'v', nv, 'd', ARGV[2])
redis.call('PUBLISH', KEYS[2], nv)
return nv
`;

interface Versioned<T> {
  version: number;
  value: T | undefined;
}

/**
 * The ring KV in Redis (see docs/format/ring.md for the keys). Changes are pushed to watchers by
 * pub/sub within milliseconds; watchers also re-read every resyncPeriodMs and whenever the
 * subscription reconnects. While Redis is down, calls fail fast (no offline queue) and watchers
 * keep their last value; the connections retry for ever and everything converges when Redis is
 * back.
 */
export class RedisKV<T> implements KVClient<T> {
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly watches = new Map<string, { listeners: Set<WatchListener<T>>; version: number; timer: NodeJS.Timeout }>();
  private closed = false;

  constructor(private readonly opts: RedisKVOptions<T>) {
    const [host, portText] = splitAddress(opts.address);
    const common = {
      host,
      port: portText,
      password: opts.password || undefined,
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(times * 100, 2000),
      lazyConnect: false,
    };
    this.cmd = new Redis({ ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    this.sub = new Redis({ ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
    let cmdDown = false;
    this.cmd.on('error', (err) => {
      if (!cmdDown) opts.logger.warn({ err: err.message, address: opts.address }, 'redis kv: connection error');
      cmdDown = true;
    });
    this.cmd.on('ready', () => (cmdDown = false));
    this.sub.on('error', () => undefined); // reported through cmd; the subscriber reconnects on its own
    this.sub.on('message', (channel: string) => {
      const key = channel.slice(0, -CHANGES_SUFFIX.length).slice(opts.keyPrefix.length);
      void this.refresh(key);
    });
    // After a reconnect, messages may have been missed: re-read every watched key.
    this.sub.on('ready', () => {
      for (const key of this.watches.keys()) void this.refresh(key);
    });
  }

  /** Resolves once the command connection is up (or rejects after timeoutMs). */
  async waitReady(timeoutMs = 5000): Promise<void> {
    if (this.cmd.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis at ${this.opts.address} not reachable after ${timeoutMs} ms`)), timeoutMs);
      this.cmd.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async get(key: string): Promise<T | undefined> {
    return (await this.read(key)).value;
  }

  async cas(key: string, update: CasUpdate<T>): Promise<T | undefined> {
    const retries = this.opts.maxCasRetries ?? 50;
    for (let attempt = 0; attempt < retries; attempt++) {
      const current = await this.read(key);
      const next = update(current.value);
      if (next === undefined) return current.value;
      const encoded = this.opts.codec.encode(next);
      const expected = current.version === 0 ? '' : String(current.version);
      const result = (await this.cmd.eval(CAS_SCRIPT, 2, this.fullKey(key), this.channel(key), expected, encoded)) as number;
      if (result !== 0) return this.opts.codec.decode(encoded);
      // Lost the race: back off a little, with jitter so racers spread out.
      await sleep(Math.random() * Math.min(50, 2 * (attempt + 1)));
    }
    throw new Error(`cas on ${this.fullKey(key)}: gave up after ${retries} conflicting attempts`);
  }

  watchKey(key: string, listener: WatchListener<T>): () => void {
    let watch = this.watches.get(key);
    if (!watch) {
      const timer = setInterval(() => void this.refresh(key), this.opts.resyncPeriodMs);
      timer.unref();
      watch = { listeners: new Set(), version: -1, timer };
      this.watches.set(key, watch);
      this.sub.subscribe(this.channel(key)).catch((err) => this.opts.logger.warn({ err: err.message, key }, 'redis kv: subscribe failed'));
    }
    watch.listeners.add(listener);
    // The first delivery goes to this listener even if others already saw this version.
    this.read(key).then(
      (current) => {
        if (watch.listeners.has(listener)) listener(current.value);
      },
      (err) => this.opts.logger.warn({ err: err.message, key }, 'redis kv: initial read failed; waiting for resync'),
    );
    return () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0) {
        clearInterval(watch.timer);
        this.watches.delete(key);
        if (!this.closed) this.sub.unsubscribe(this.channel(key)).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const watch of this.watches.values()) clearInterval(watch.timer);
    this.watches.clear();
    this.cmd.disconnect();
    this.sub.disconnect();
  }

  /** Re-reads a watched key and delivers it if its version moved. */
  private async refresh(key: string): Promise<void> {
    const watch = this.watches.get(key);
    if (!watch) return;
    let current: Versioned<T>;
    try {
      current = await this.read(key);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message, key }, 'redis kv: resync failed; keeping the last known value');
      return;
    }
    if (current.version === watch.version) return;
    watch.version = current.version;
    for (const listener of watch.listeners) listener(current.value);
  }

  private async read(key: string): Promise<Versioned<T>> {
    const [v, d] = await this.cmd.hmget(this.fullKey(key), 'v', 'd');
    if (v === null || d === null) return { version: 0, value: undefined };
    return { version: Number(v), value: this.opts.codec.decode(d) };
  }

  private fullKey(key: string): string {
    return this.opts.keyPrefix + key;
  }

  private channel(key: string): string {
    return this.fullKey(key) + CHANGES_SUFFIX;
  }
}

const CHANGES_SUFFIX = ':changes';

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  if (i <= 0) return [address, 6379];
  const port = Number(address.slice(i + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad redis address ${JSON.stringify(address)}: want host:port`);
  return [address.slice(0, i), port];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
