import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { type Bucket, checkKey, type ListResult, type ObjectInfo, ObjectNotFoundError } from './bucket';

export interface S3BucketConfig {
  /** host[:port]; empty for AWS. */
  endpoint: string;
  bucketName: string;
  region: string;
  /** Empty: the standard AWS credential chain (environment, shared config, instance role). */
  accessKeyId: string;
  secretAccessKey: string;
  insecure: boolean;
  bucketLookupType: 'auto' | 'virtual-hosted' | 'path';
  /** Attempts per request, with the SDK's exponential backoff between them. */
  maxAttempts: number;
  /** Objects larger than this are uploaded in parts of this size. */
  partSize?: number;
}

const DEFAULT_PART = 16 << 20;

/**
 * S3 (or any S3-compatible store: MinIO, s3rver) through @aws-sdk/client-s3. Checksums are only
 * computed when S3 requires them: the SDK's newer defaults break S3-compatible stores (s3rver
 * then stores streamed bodies corrupt).
 */
export class S3Bucket implements Bucket {
  readonly name: string;
  readonly client: S3Client;
  private readonly partSize: number;

  constructor(private readonly cfg: S3BucketConfig) {
    if (!cfg.bucketName) throw new Error('blocks-storage.s3.bucket-name: must be set');
    this.name = `s3://${cfg.bucketName}`;
    this.partSize = cfg.partSize ?? DEFAULT_PART;
    const endpoint = cfg.endpoint ? `${cfg.insecure ? 'http' : 'https'}://${cfg.endpoint}` : undefined;
    this.client = new S3Client({
      region: cfg.region || 'us-east-1',
      endpoint,
      // auto: path style for a custom endpoint (MinIO and friends), virtual-hosted for AWS.
      forcePathStyle: cfg.bucketLookupType === 'path' || (cfg.bucketLookupType === 'auto' && endpoint !== undefined),
      credentials: cfg.accessKeyId ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } : undefined,
      maxAttempts: cfg.maxAttempts,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async get(key: string): Promise<Buffer> {
    checkKey(key);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.cfg.bucketName, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      throw this.mapError(e, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    checkKey(key);
    if (length <= 0) return Buffer.alloc(0);
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.cfg.bucketName, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (e) {
      if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 416) return Buffer.alloc(0);
      throw this.mapError(e, key);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    checkKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.cfg.bucketName, Key: key, Body: body, ContentLength: body.length }));
  }

  /** Buffers up to one part; small objects go in one PUT, larger ones as a multipart upload. */
  async putStream(key: string, body: Readable): Promise<void> {
    checkKey(key);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let uploadId: string | undefined;
    const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    const flushPart = async (data: Buffer) => {
      if (!uploadId) {
        const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.cfg.bucketName, Key: key }));
        uploadId = created.UploadId!;
      }
      const n = parts.length + 1;
      const res = await this.client.send(new UploadPartCommand({ Bucket: this.cfg.bucketName, Key: key, UploadId: uploadId, PartNumber: n, Body: data, ContentLength: data.length }));
      parts.push({ ETag: res.ETag, PartNumber: n });
    };
    try {
      for await (const chunk of body) {
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        pending.push(b);
        pendingBytes += b.length;
        while (pendingBytes >= this.partSize) {
          const all = Buffer.concat(pending);
          await flushPart(all.subarray(0, this.partSize));
          pending = [all.subarray(this.partSize)];
          pendingBytes = pending[0].length;
        }
      }
      const rest = Buffer.concat(pending);
      if (!uploadId) return await this.put(key, rest);
      if (rest.length > 0) await flushPart(rest);
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.cfg.bucketName, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      if (uploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.cfg.bucketName, Key: key, UploadId: uploadId })).catch(() => undefined);
      throw e;
    }
  }

  async list(prefix: string, opts: { delimiter?: string } = {}): Promise<ListResult> {
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.cfg.bucketName, Prefix: prefix || undefined, Delimiter: opts.delimiter, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) objects.push({ key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      for (const p of out.CommonPrefixes ?? []) prefixes.push(p.Prefix!);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return { objects, prefixes: prefixes.sort() };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucketName, Key: key }));
  }

  async exists(key: string): Promise<boolean> {
    checkKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.cfg.bucketName, Key: key }));
      return true;
    } catch (e) {
      if (this.mapError(e, key) instanceof ObjectNotFoundError) return false;
      throw e;
    }
  }

  close(): void {
    this.client.destroy();
  }

  private mapError(e: unknown, key: string): Error {
    if (e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata.httpStatusCode === 404)) {
      return new ObjectNotFoundError(this.name, key);
    }
    return e as Error;
  }
}
