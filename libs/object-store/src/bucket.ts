import type { Readable } from 'node:stream';

/** One object in a listing. */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ListResult {
  /** Objects directly under the prefix (all of them when no delimiter is given). */
  objects: ObjectInfo[];
  /** With a delimiter: the distinct "directories" one level below the prefix, each ending in it. */
  prefixes: string[];
}

/**
 * Object storage as Myelin uses it: blocks, markers and bucket indexes under tenant prefixes.
 * Keys use `/` as the separator. Implementations: S3Bucket, FilesystemBucket, PrefixedBucket, and
 * InMemoryBucket for unit tests (`@myelin/object-store/testing`).
 */
export interface Bucket {
  /** The whole object; rejects with ObjectNotFoundError when absent. */
  get(key: string): Promise<Buffer>;
  /** `length` bytes from `offset` (fewer at the end of the object). */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  put(key: string, body: Uint8Array): Promise<void>;
  /** Uploads a stream (multipart for large objects on S3). */
  putStream(key: string, body: Readable): Promise<void>;
  list(prefix: string, opts?: { delimiter?: string }): Promise<ListResult>;
  /** Deleting an absent object is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** A short name for logs and errors, e.g. `s3://bucket` or `filesystem:./data/blocks`. */
  readonly name: string;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`object ${key} not found in ${bucket}`);
  }
}

export function isNotFound(e: unknown): e is ObjectNotFoundError {
  return e instanceof ObjectNotFoundError;
}

/** Keys must be relative, `/`-separated, without empty, `.` or `..` segments. */
export function checkKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((s, i, all) => s === '.' || s === '..' || (s === '' && i < all.length - 1))) {
    throw new Error(`invalid object key ${JSON.stringify(key)}`);
  }
}

/** Groups keys under `prefix` into direct objects and sub-prefixes, as S3 does with a delimiter. */
export function groupByDelimiter(all: ObjectInfo[], prefix: string, delimiter: string | undefined): ListResult {
  if (!delimiter) return { objects: all, prefixes: [] };
  const objects: ObjectInfo[] = [];
  const prefixes = new Set<string>();
  for (const o of all) {
    const rest = o.key.slice(prefix.length);
    const i = rest.indexOf(delimiter);
    if (i < 0) objects.push(o);
    else prefixes.add(prefix + rest.slice(0, i + delimiter.length));
  }
  return { objects, prefixes: [...prefixes].sort() };
}
