import { LruCache } from './lru-cache';

describe('LruCache', () => {
  it('keeps values within the byte budget, dropping the least recently used first', () => {
    const c = new LruCache<string>(10);
    c.set('a', 'A', 4);
    c.set('b', 'B', 4);
    expect(c.get('a')).toBe('A'); // a is now the most recently used
    c.set('c', 'C', 4); // 12 > 10: b goes
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('A');
    expect(c.get('c')).toBe('C');
    expect(c.bytes).toBe(8);
    expect(c.size).toBe(2);
  });

  it('counts hits and misses', () => {
    const c = new LruCache<number>(100);
    c.set('x', 1, 1);
    c.get('x');
    c.get('x');
    c.get('y');
    expect([c.hits, c.misses]).toEqual([2, 1]);
  });

  it('replaces a key in place, accounting its new size', () => {
    const c = new LruCache<string>(10);
    c.set('a', 'old', 8);
    c.set('a', 'new', 3);
    expect(c.get('a')).toBe('new');
    expect(c.bytes).toBe(3);
  });

  it.each([
    ['larger than the budget', 11, undefined, 0],
    ['exactly the budget', 10, 'V', 10],
  ])('a value %s is kept or not', (_, size, got, bytes) => {
    const c = new LruCache<string>(10);
    c.set('k', 'V', size);
    expect(c.get('k')).toBe(got);
    expect(c.bytes).toBe(bytes);
  });

  it('a zero budget keeps nothing', () => {
    const c = new LruCache<string>(0);
    c.set('k', 'V', 1);
    expect(c.size).toBe(0);
  });
});
