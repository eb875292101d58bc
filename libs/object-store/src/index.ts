export { checkKey, groupByDelimiter, isNotFound, ObjectNotFoundError } from './bucket';
export type { Bucket, ListResult, ObjectInfo } from './bucket';
export { FilesystemBucket } from './filesystem-bucket';
export { PrefixedBucket } from './prefixed-bucket';
export { S3Bucket } from './s3-bucket';
export type { S3BucketConfig } from './s3-bucket';
export { bucketFromConfig } from './from-config';
