export { compactAll, compactGroup, tenantsIn } from './compact';
export type { Compaction } from './compact';
export { overlappingGroups } from './plan';
