import type { MyelinConfig } from '@myelin/platform';
import type { Bucket } from './bucket';
import { FilesystemBucket } from './filesystem-bucket';
import { S3Bucket } from './s3-bucket';

/** The bucket -blocks-storage.backend names, configured from the blocks-storage.* options. */
export function bucketFromConfig(config: MyelinConfig): Bucket {
  if (config['blocks-storage.backend'] === 'filesystem') return new FilesystemBucket(config['blocks-storage.filesystem.dir']);
  return new S3Bucket({
    endpoint: config['blocks-storage.s3.endpoint'],
    bucketName: config['blocks-storage.s3.bucket-name'],
    region: config['blocks-storage.s3.region'],
    accessKeyId: config['blocks-storage.s3.access-key-id'],
    secretAccessKey: config['blocks-storage.s3.secret-access-key'],
    insecure: config['blocks-storage.s3.insecure'],
    bucketLookupType: config['blocks-storage.s3.bucket-lookup-type'],
    maxAttempts: config['blocks-storage.s3.max-retries'],
  });
}
