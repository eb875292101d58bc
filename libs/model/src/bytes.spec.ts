import { withRoom } from './bytes';

describe('withRoom', () => {
  it.each<[string, number, number, number, number]>([
    ['fits: the same array', 8, 4, 4, 8],
    ['doubles', 8, 8, 1, 16],
    ['grows past doubling when asked for more', 8, 8, 20, 32],
    ['from empty', 0, 0, 3, 16],
  ])('%s', (_, size, used, need, want) => {
    const buf = Uint8Array.from({ length: size }, (_, i) => i + 1);
    const out = withRoom(buf, used, need);
    expect(out.length).toBe(want);
    expect(out === buf).toBe(want === size);
    expect([...out.subarray(0, used)]).toEqual([...buf.subarray(0, used)]);
  });
});
