import { seededRandom as rng } from '@myelin/model/testing';
import { XORChunk } from './xor';
import { XORChunkArena } from './xor-arena';

/** Prometheus's stale marker: a NaN with this exact bit pattern. */
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0];

/** A random series of n samples: jittered intervals, random floats (the largest chunks), some NaNs. */
function randomSeries(r: () => number, n: number): { ts: number[]; vs: number[] } {
  const ts: number[] = [];
  const vs: number[] = [];
  let t = Math.floor(r() * 2e12);
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 100_000);
    ts.push(t);
    const pick = r();
    vs.push(pick < 0.05 ? STALE_NAN : pick < 0.1 ? 42 : (r() - 0.5) * 1e6);
  }
  return { ts, vs };
}

function expected(ts: number[], vs: number[]): Uint8Array {
  const c = new XORChunk();
  ts.forEach((t, i) => c.append(t, vs[i]));
  return c.bytes();
}

describe('XORChunkArena', () => {
  it('starts a slot as an empty chunk', () => {
    const arena = new XORChunkArena();
    const slot = arena.alloc();
    expect(arena.numSamples(slot)).toBe(0);
    expect([...arena.bytes(slot)]).toEqual([0, 0]);
  });

  it('writes the same bytes as XORChunk for many slots appended in turn, growing through every size class', () => {
    const r = rng(11);
    const arena = new XORChunkArena();
    const series = Array.from({ length: 300 }, (_, i) => randomSeries(r, 1 + (i % 400)));
    const slots = series.map(() => arena.alloc());
    // Interleaved: every slot's block moves while its neighbours' are live.
    for (let i = 0; i < 400; i++) {
      series.forEach((s, k) => {
        if (i < s.ts.length) arena.append(slots[k], s.ts[i], s.vs[i]);
      });
    }
    series.forEach((s, k) => {
      expect(arena.numSamples(slots[k])).toBe(s.ts.length);
      expect(arena.minTime(slots[k])).toBe(s.ts[0]);
      expect(arena.maxTime(slots[k])).toBe(s.ts[s.ts.length - 1]);
      expect(arena.bytes(slots[k])).toEqual(expected(s.ts, s.vs));
    });
  });

  it('tells a duplicate value by its bits', () => {
    const arena = new XORChunkArena();
    const slot = arena.alloc();
    expect(arena.lastValueIs(slot, 0)).toBe(false);
    arena.append(slot, 1000, STALE_NAN);
    expect(arena.lastValueIs(slot, STALE_NAN)).toBe(true);
    expect(arena.lastValueIs(slot, NaN)).toBe(false);
    arena.append(slot, 2000, -0);
    expect(arena.lastValueIs(slot, -0)).toBe(true);
    expect(arena.lastValueIs(slot, 0)).toBe(false);
  });

  it('reuses released slots and blocks without mixing their bytes', () => {
    const r = rng(5);
    const arena = new XORChunkArena();
    const a = arena.alloc();
    const b = arena.alloc();
    const first = randomSeries(r, 200);
    first.ts.forEach((t, i) => arena.append(a, t, first.vs[i]));
    arena.release(a);
    const c = arena.alloc();
    expect(c).toBe(a);
    expect(arena.numSamples(c)).toBe(0);
    const second = randomSeries(r, 50);
    const third = randomSeries(r, 70);
    second.ts.forEach((t, i) => arena.append(c, t, second.vs[i]));
    third.ts.forEach((t, i) => arena.append(b, t, third.vs[i]));
    expect(arena.bytes(c)).toEqual(expected(second.ts, second.vs));
    expect(arena.bytes(b)).toEqual(expected(third.ts, third.vs));
  });

  it('empties a slot on reset and encodes a new chunk from its first sample', () => {
    const r = rng(9);
    const arena = new XORChunkArena();
    const slot = arena.alloc();
    const before = randomSeries(r, 120);
    before.ts.forEach((t, i) => arena.append(slot, t, before.vs[i]));
    arena.reset(slot);
    expect([...arena.bytes(slot)]).toEqual([0, 0]);
    const after = randomSeries(r, 30);
    after.ts.forEach((t, i) => arena.append(slot, t, after.vs[i]));
    expect(arena.bytes(slot)).toEqual(expected(after.ts, after.vs));
  });

  it('refuses an out-of-order sample as XORChunk does', () => {
    const arena = new XORChunkArena();
    const slot = arena.alloc();
    arena.append(slot, 2000, 1);
    expect(() => arena.append(slot, 1000, 1)).toThrow('out-of-order append to chunk: 1000 < 2000');
  });
});
