import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Bucket, checkKey, groupByDelimiter, type ListResult, type ObjectInfo, ObjectNotFoundError } from './bucket';

/**
 * A directory as a bucket (the embedded default): keys are paths under it. Writes go to a
 * temporary file that is fsynced and renamed, so a reader never sees half an object.
 */
export class FilesystemBucket implements Bucket {
  readonly name: string;

  constructor(readonly dir: string) {
    this.name = `filesystem:${dir}`;
  }

  private pathOf(key: string): string {
    checkKey(key);
    return path.join(this.dir, ...key.split('/'));
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (e) {
      throw this.notFound(e, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    let fh;
    try {
      fh = await open(this.pathOf(key), 'r');
    } catch (e) {
      throw this.notFound(e, key);
    }
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  }

  async putStream(key: string, body: Readable): Promise<void> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    await pipeline(body, createWriteStream(tmp));
    const fh = await open(tmp, 'r+');
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
  }

  async list(prefix: string, opts: { delimiter?: string } = {}): Promise<ListResult> {
    const all: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string) => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (entry.isDirectory()) {
          if ((key + '/').startsWith(prefix) || prefix.startsWith(key + '/')) await walk(path.join(dir, entry.name), key + '/');
        } else if (key.startsWith(prefix) && !/\.tmp-\d+-\d+$/.test(entry.name)) {
          const s = await stat(path.join(dir, entry.name));
          all.push({ key, size: s.size, lastModified: s.mtime });
        }
      }
    };
    await walk(this.dir, '');
    all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return groupByDelimiter(all, prefix, opts.delimiter);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
  }

  private notFound(e: unknown, key: string): Error {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? new ObjectNotFoundError(this.name, key) : (e as Error);
  }
}
