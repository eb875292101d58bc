export type { Codec, CasUpdate, KVClient, KVLogger, WatchListener } from './kv';
export { InMemoryKV } from './in-memory-kv';
