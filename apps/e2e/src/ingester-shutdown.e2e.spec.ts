import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FilesystemBucket, PrefixedBucket } from '@myelin/object-store';
import { BlockReader } from '@myelin/tsdb-block';
import { MyelinProcess, pushRemoteWrite } from '@myelin/test-services';

// POST /ingester/shutdown: the head is cut into a block, the block is shipped (here to the
// filesystem bucket, the embedded default), and the process stops by itself.
describe('POST /ingester/shutdown', () => {
  it('flushes, ships and stops the process', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'myelin-shutdown-'));
    const myelin = await MyelinProcess.start({ binary: 'myelin', cwd });
    const t0 = Date.now() - 60_000;
    const res = await pushRemoteWrite(`${myelin.url}/api/v1/push`, [
      { labels: [{ name: '__name__', value: 'before_shutdown' }], timestamps: [t0, t0 + 1000, t0 + 2000], values: [1, 2, 3] },
    ]);
    expect(res.status).toBe(204);

    const answer = await fetch(`${myelin.url}/ingester/shutdown`, { method: 'POST' });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('ingester flushed, shipped and unregistered; stopping\n');
    expect(await myelin.child.exited).toEqual({ code: 0, signal: null });

    // The embedded defaults: blocks under ./data/blocks/<tenant>/<ulid>/, tenant "fake".
    const tenantDir = path.join(cwd, 'data', 'blocks', 'fake');
    const [ulid] = readdirSync(tenantDir);
    expect(existsSync(path.join(tenantDir, ulid, 'meta.json'))).toBe(true);
    const reader = await BlockReader.open(new PrefixedBucket(new FilesystemBucket(path.join(cwd, 'data', 'blocks', 'fake')), ulid), ulid);
    const [series] = await reader.select([], -Infinity, Infinity);
    expect([...series.values]).toEqual([1, 2, 3]);
  }, 60_000);
});
