import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Bucket, PrefixedBucket } from '@myelin/object-store';

/** A block on local disk the shipper may upload: `dir` holds meta.json, index, chunks/. */
export interface ShippableBlock {
  tenant: string;
  ulid: string;
  dir: string;
}

export interface ShipperLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Thanos's shipper state file (`thanos.shipper.json`), plus when each block was shipped. */
interface ShipperState {
  version: 1;
  uploaded: string[];
  shipped_at?: Record<string, number>;
}

const STATE_FILE = 'thanos.shipper.json';

/**
 * Uploads local blocks to `<tenant>/<ULID>/` in the bucket, meta.json last (a block without
 * meta.json is incomplete to every reader), and remembers what it shipped in
 * `<tsdb dir>/<tenant>/thanos.shipper.json`. A failed upload is retried on the next sync; nothing
 * is marked shipped until all its files are in the bucket.
 */
export class Shipper {
  private readonly state = new Map<string, ShipperState>();

  constructor(
    private readonly bucket: Bucket,
    private readonly dir: string,
    private readonly logger: ShipperLogger,
    private readonly clock: { now(): number },
  ) {}

  async isShipped(tenant: string, ulid: string): Promise<boolean> {
    return (await this.load(tenant)).uploaded.includes(ulid);
  }

  async shippedAt(tenant: string, ulid: string): Promise<number | undefined> {
    return (await this.load(tenant)).shipped_at?.[ulid];
  }

  /** Uploads every given block not shipped yet; returns what it uploaded and how many failed. */
  async sync(blocks: readonly ShippableBlock[]): Promise<{ uploaded: string[]; failed: number; lastError?: string }> {
    const uploaded: string[] = [];
    let failed = 0;
    let lastError: string | undefined;
    for (const b of blocks) {
      if (await this.isShipped(b.tenant, b.ulid)) continue;
      try {
        await this.upload(b);
        const st = await this.load(b.tenant);
        st.uploaded.push(b.ulid);
        (st.shipped_at ??= {})[b.ulid] = this.clock.now();
        await this.save(b.tenant, st);
        uploaded.push(b.ulid);
        this.logger.info({ tenant: b.tenant, ulid: b.ulid }, 'block shipped');
      } catch (e) {
        failed++;
        lastError = (e as Error).message;
        this.logger.warn({ tenant: b.tenant, ulid: b.ulid, err: lastError }, 'block upload failed; will retry');
      }
    }
    return { uploaded, failed, lastError };
  }

  private async upload(b: ShippableBlock): Promise<void> {
    const tenantBucket = new PrefixedBucket(this.bucket, b.tenant);
    const chunkFiles = (await readdir(path.join(b.dir, 'chunks'))).sort();
    for (const f of chunkFiles) await tenantBucket.put(`${b.ulid}/chunks/${f}`, await readFile(path.join(b.dir, 'chunks', f)));
    await tenantBucket.put(`${b.ulid}/index`, await readFile(path.join(b.dir, 'index')));
    await tenantBucket.put(`${b.ulid}/meta.json`, await readFile(path.join(b.dir, 'meta.json')));
  }

  /** Forgets blocks that no longer exist locally (deleted by retention). */
  async forget(tenant: string, ulids: readonly string[]): Promise<void> {
    const st = await this.load(tenant);
    st.uploaded = st.uploaded.filter((u) => !ulids.includes(u));
    for (const u of ulids) delete st.shipped_at?.[u];
    await this.save(tenant, st);
  }

  private async load(tenant: string): Promise<ShipperState> {
    let st = this.state.get(tenant);
    if (st) return st;
    try {
      const raw = JSON.parse(await readFile(path.join(this.dir, tenant, STATE_FILE), 'utf8')) as ShipperState;
      st = { version: 1, uploaded: Array.isArray(raw.uploaded) ? raw.uploaded : [], shipped_at: raw.shipped_at ?? {} };
    } catch {
      st = { version: 1, uploaded: [], shipped_at: {} };
    }
    this.state.set(tenant, st);
    return st;
  }

  private async save(tenant: string, st: ShipperState): Promise<void> {
    const file = path.join(this.dir, tenant, STATE_FILE);
    await writeFile(`${file}.tmp`, JSON.stringify(st));
    await rename(`${file}.tmp`, file);
  }
}
