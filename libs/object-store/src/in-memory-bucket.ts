import type { Readable } from 'node:stream';
import { type Bucket, checkKey, groupByDelimiter, type ListResult, ObjectNotFoundError } from './bucket';

/** A bucket in a Map, for unit tests (exported from `@myelin/object-store/testing`). */
export class InMemoryBucket implements Bucket {
  readonly name = 'memory';
  readonly objects = new Map<string, { body: Buffer; lastModified: Date }>();

  async get(key: string): Promise<Buffer> {
    checkKey(key);
    const o = this.objects.get(key);
    if (!o) throw new ObjectNotFoundError(this.name, key);
    return Buffer.from(o.body);
  }
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return (await this.get(key)).subarray(offset, offset + length);
  }
  async put(key: string, body: Uint8Array): Promise<void> {
    checkKey(key);
    this.objects.set(key, { body: Buffer.from(body), lastModified: new Date() });
  }
  async putStream(key: string, body: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
    await this.put(key, Buffer.concat(chunks));
  }
  async list(prefix: string, opts: { delimiter?: string } = {}): Promise<ListResult> {
    const all = [...this.objects]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, o]) => ({ key, size: o.body.length, lastModified: o.lastModified }));
    return groupByDelimiter(all, prefix, opts.delimiter);
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }
}
