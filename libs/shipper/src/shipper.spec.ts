import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InMemoryBucket } from '@myelin/object-store/testing';
import { Shipper } from './shipper';

const quiet = { info: () => undefined, warn: () => undefined };

function localBlock(dir: string, tenant: string, ulid: string) {
  const b = path.join(dir, tenant, ulid);
  mkdirSync(path.join(b, 'chunks'), { recursive: true });
  writeFileSync(path.join(b, 'chunks', '000001'), 'chunks');
  writeFileSync(path.join(b, 'index'), 'index');
  writeFileSync(path.join(b, 'meta.json'), '{}');
  return { tenant, ulid, dir: b };
}

describe('Shipper', () => {
  it('uploads each block under <tenant>/<ulid>/, meta.json last, and records it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ship-'));
    const bucket = new InMemoryBucket();
    const order: string[] = [];
    const put = bucket.put.bind(bucket);
    bucket.put = async (k, b) => (order.push(k), put(k, b));
    const shipper = new Shipper(bucket, dir, quiet, { now: () => 42 });
    const block = localBlock(dir, 't1', '01AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(await shipper.sync([block])).toEqual({ uploaded: [block.ulid], failed: 0, lastError: undefined });
    expect(order).toEqual([`t1/${block.ulid}/chunks/000001`, `t1/${block.ulid}/index`, `t1/${block.ulid}/meta.json`]);
    expect(JSON.parse(readFileSync(path.join(dir, 't1', 'thanos.shipper.json'), 'utf8'))).toEqual({ version: 1, uploaded: [block.ulid], shipped_at: { [block.ulid]: 42 } });
    expect(await shipper.sync([block])).toEqual({ uploaded: [], failed: 0, lastError: undefined });
  });

  it('marks nothing shipped while the bucket fails, and ships on a later sync', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ship-'));
    const bucket = new InMemoryBucket();
    let down = true;
    const put = bucket.put.bind(bucket);
    bucket.put = async (k, b) => {
      if (down) throw new Error('connect ECONNREFUSED');
      return put(k, b);
    };
    const shipper = new Shipper(bucket, dir, quiet, { now: () => 1 });
    const block = localBlock(dir, 't1', '01BBBBBBBBBBBBBBBBBBBBBBBB');
    expect(await shipper.sync([block])).toEqual({ uploaded: [], failed: 1, lastError: 'connect ECONNREFUSED' });
    expect(await shipper.isShipped('t1', block.ulid)).toBe(false);
    down = false;
    expect((await shipper.sync([block])).uploaded).toEqual([block.ulid]);
    // A new shipper (restart) reads the state file.
    expect(await new Shipper(bucket, dir, quiet, { now: () => 1 }).isShipped('t1', block.ulid)).toBe(true);
  });
});
