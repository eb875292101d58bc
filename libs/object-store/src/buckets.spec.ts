import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBucketContract } from './bucket-contract';
import { FilesystemBucket } from './filesystem-bucket';
import { InMemoryBucket } from './in-memory-bucket';
import { PrefixedBucket } from './prefixed-bucket';

const dir = mkdtempSync(path.join(tmpdir(), 'bucket-'));
runBucketContract('filesystem', async () => new FilesystemBucket(dir), async () => rmSync(dir, { recursive: true, force: true }));
runBucketContract('in memory', async () => new InMemoryBucket());
runBucketContract('prefixed', async () => new PrefixedBucket(new InMemoryBucket(), 'tenant-1'));

describe('PrefixedBucket', () => {
  it('keeps a tenant under its prefix and hides the prefix from its keys', async () => {
    const inner = new InMemoryBucket();
    const t = new PrefixedBucket(inner, 'tenant-1');
    await t.put('01ABC/meta.json', Buffer.from('{}'));
    expect([...inner.objects.keys()]).toEqual(['tenant-1/01ABC/meta.json']);
    expect(await t.list('', { delimiter: '/' })).toEqual({ objects: [], prefixes: ['01ABC/'] });
    expect(() => new PrefixedBucket(inner, 'a/b')).toThrow('invalid bucket prefix "a/b": one path segment expected');
  });
});

describe.each([
  ['filesystem', () => new FilesystemBucket(mkdtempSync(path.join(tmpdir(), 'bucket-deep-')))],
  ['in memory', () => new InMemoryBucket()],
])('%s listing', (_name, make) => {
  it('shows a common prefix that holds only deeper objects (as S3 does)', async () => {
    const b = make();
    await b.put('tenant/01ABC/chunks/000001', Buffer.from('x'));
    expect(await b.list('', { delimiter: '/' })).toEqual({ objects: [], prefixes: ['tenant/'] });
    expect((await b.list('tenant/', { delimiter: '/' })).prefixes).toEqual(['tenant/01ABC/']);
  });
});
