import { InMemoryKV } from './in-memory-kv';

const json = { encode: (v: { n: number }) => JSON.stringify(v), decode: (s: string) => JSON.parse(s) as { n: number } };
const tick = () => new Promise((r) => setImmediate(r));

describe('InMemoryKV', () => {
  it('gets undefined for a missing key, then what cas stored', async () => {
    const kv = new InMemoryKV(json);
    expect(await kv.get('k')).toBeUndefined();
    expect(await kv.cas('k', () => ({ n: 1 }))).toEqual({ n: 1 });
    expect(await kv.get('k')).toEqual({ n: 1 });
  });

  it('hands cas the current value and keeps it when the update returns undefined', async () => {
    const kv = new InMemoryKV(json);
    await kv.cas('k', () => ({ n: 1 }));
    const seen: unknown[] = [];
    expect(await kv.cas('k', (cur) => (seen.push(cur), undefined))).toEqual({ n: 1 });
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('loses no increment under many concurrent updaters', async () => {
    const kv = new InMemoryKV(json);
    await Promise.all(Array.from({ length: 200 }, () => kv.cas('k', (c) => ({ n: (c?.n ?? 0) + 1 }))));
    expect(await kv.get('k')).toEqual({ n: 200 });
  });

  it('does not let a caller mutate the stored value', async () => {
    const kv = new InMemoryKV(json);
    const v = (await kv.cas('k', () => ({ n: 1 })))!;
    v.n = 99;
    expect(await kv.get('k')).toEqual({ n: 1 });
  });

  it('leaves the value unchanged when the update throws', async () => {
    const kv = new InMemoryKV(json);
    await kv.cas('k', () => ({ n: 1 }));
    await expect(kv.cas('k', () => { throw new Error('nope'); })).rejects.toThrow('nope');
    expect(await kv.get('k')).toEqual({ n: 1 });
  });

  it('delivers the current value on watch, then every change, until unwatched', async () => {
    const kv = new InMemoryKV(json);
    await kv.cas('k', () => ({ n: 1 }));
    const seen: unknown[] = [];
    const stop = kv.watchKey('k', (v) => seen.push(v));
    await tick();
    await kv.cas('k', () => ({ n: 2 }));
    await kv.cas('other', () => ({ n: 7 }));
    await tick();
    stop();
    await kv.cas('k', () => ({ n: 3 }));
    await tick();
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('refuses use after close', async () => {
    const kv = new InMemoryKV(json);
    await kv.close();
    await expect(kv.get('k')).rejects.toThrow('KV store closed');
  });
});
