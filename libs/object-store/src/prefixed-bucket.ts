import type { Readable } from 'node:stream';
import { type Bucket, checkKey, type ListResult } from './bucket';

/** A bucket seen through a prefix (a tenant's part of the bucket: `<tenant>/...`). */
export class PrefixedBucket implements Bucket {
  readonly name: string;
  private readonly prefix: string;

  constructor(
    private readonly inner: Bucket,
    prefix: string,
  ) {
    if (prefix === '' || prefix.includes('/')) throw new Error(`invalid bucket prefix ${JSON.stringify(prefix)}: one path segment expected`);
    this.prefix = prefix + '/';
    this.name = `${inner.name}/${prefix}`;
  }

  /** The inner key; the key is checked on its own, so `../x` cannot climb out of the prefix. */
  private k(key: string): string {
    checkKey(key);
    return this.prefix + key;
  }

  async get(key: string): Promise<Buffer> {
    return this.inner.get(this.k(key));
  }
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return this.inner.getRange(this.k(key), offset, length);
  }
  async put(key: string, body: Uint8Array): Promise<void> {
    return this.inner.put(this.k(key), body);
  }
  async putStream(key: string, body: Readable): Promise<void> {
    return this.inner.putStream(this.k(key), body);
  }
  async list(prefix: string, opts?: { delimiter?: string }): Promise<ListResult> {
    const r = await this.inner.list(this.prefix + prefix, opts);
    const strip = (k: string) => k.slice(this.prefix.length);
    return { objects: r.objects.map((o) => ({ ...o, key: strip(o.key) })), prefixes: r.prefixes.map(strip) };
  }
  async delete(key: string): Promise<void> {
    return this.inner.delete(this.k(key));
  }
  async exists(key: string): Promise<boolean> {
    return this.inner.exists(this.k(key));
  }
}
