// Test doubles and the shared contract tests of @myelin/object-store, for tests only.
export { InMemoryBucket } from './in-memory-bucket';
export { runBucketContract } from './bucket-contract';
