export { IngesterDB } from './ingester-db';
export type { IngesterDBOptions, LocalBlock } from './ingester-db';
