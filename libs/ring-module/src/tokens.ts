/** Nest tokens of the ring module. */
export const RING_KV = Symbol('myelin.ring-kv');
export const INGESTER_RING_KEY = 'ring';
