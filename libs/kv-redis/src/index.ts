export { RedisKV } from './redis-kv';
export type { RedisKVOptions } from './redis-kv';
