import { seededRandom as rng } from '@myelin/model/testing';
import { decodeXOR, SAMPLES_PER_CHUNK, XORChunk, xorSampleCount } from './xor';

/** Prometheus's stale marker: a NaN with this exact bit pattern. */
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0];

function bitsOf(v: number): bigint {
  return new BigUint64Array(new Float64Array([v]).buffer)[0];
}

function roundTrip(ts: number[], vs: number[]) {
  const c = new XORChunk();
  ts.forEach((t, i) => c.append(t, vs[i]));
  const bytes = c.bytes();
  expect(xorSampleCount(bytes)).toBe(ts.length);
  const t = new Float64Array(ts.length);
  const v = new Float64Array(ts.length);
  expect(decodeXOR(bytes, t, v)).toBe(ts.length);
  expect([...t]).toEqual(ts);
  // Compare bit patterns so NaN payloads (stale markers) and -0 must survive exactly.
  expect([...v].map(bitsOf)).toEqual(vs.map(bitsOf));
  return bytes;
}


describe('XOR chunk', () => {
  it('encodes an empty chunk as a zero count', () => {
    expect([...new XORChunk().bytes()]).toEqual([0, 0]);
  });

  it.each([
    ['one sample', [1000], [1.5]],
    ['two samples', [1000, 16000], [1, 2]],
    ['regular scrape, equal values', Array.from({ length: 10 }, (_, i) => 1_700_000_000_000 + i * 15_000), Array(10).fill(42)],
    ['NaN and stale markers', [1, 2, 3, 4, 5], [NaN, 1, STALE_NAN, STALE_NAN, 2]],
    ['infinities, zero and negative zero', [10, 20, 30, 40, 50], [Infinity, -Infinity, 0, -0, 5e-324]],
    ['huge timestamp jumps (every dod bucket)', [0, 1, 2, 8195, 80000, 600000, 10_000_000, 9_000_000_000_000, 9_000_000_000_001], [1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['negative timestamps', [-5_000_000, -4_000_000, -1, 0, 7], [1, 2, 3, 4, 5]],
    ['jitter around a 15s interval', [0, 15_001, 29_999, 45_000, 60_003, 74_998], [0.1, 0.2, 0.30000000000000004, 1e300, -1e-300, 3]],
    ['dod bucket edges', [0, 10, 8212, 8212 + 8202 - 8191 + 8191, 40000, 40000 + 36000 + 65536], [1, 1, 1, 1, 1, 1]],
  ])('round-trips %s', (_name, ts, vs) => {
    roundTrip(ts as number[], vs as number[]);
  });

  it('holds exactly 120 samples of a counter, as Prometheus cuts them', () => {
    const ts = Array.from({ length: SAMPLES_PER_CHUNK }, (_, i) => 1_700_000_000_000 + i * 15_000);
    const vs = ts.map((_, i) => i * 12.5);
    const bytes = roundTrip(ts, vs);
    expect(xorSampleCount(bytes)).toBe(120);
    // Regular scrapes of a counter compress to a few bytes per sample.
    expect(bytes.length).toBeLessThan(120 * 4);
  });

  it('round-trips random walks with random intervals (1000 chunks)', () => {
    const r = rng(7);
    for (let c = 0; c < 1000; c++) {
      const n = 1 + Math.floor(r() * 150);
      const ts: number[] = [];
      const vs: number[] = [];
      let t = Math.floor(r() * 2e12);
      let v = r() * 100;
      for (let i = 0; i < n; i++) {
        t += Math.floor(r() < 0.1 ? r() * 1e9 : r() * 30_000);
        v = r() < 0.2 ? v : r() < 0.5 ? v + r() : Math.floor(r() * 1000);
        ts.push(t);
        vs.push(v);
      }
      roundTrip(ts, vs);
    }
  });

  it('refuses an out-of-order append', () => {
    const c = new XORChunk();
    c.append(100, 1);
    expect(() => c.append(99, 1)).toThrow('out-of-order append to chunk: 99 < 100');
  });

  it('reports a truncated chunk instead of reading past it', () => {
    const c = new XORChunk();
    for (let i = 0; i < 50; i++) c.append(i * 1000, Math.sin(i));
    const bytes = c.bytes();
    const out = new Float64Array(50);
    expect(() => decodeXOR(bytes.subarray(0, bytes.length - 10), out, new Float64Array(50))).toThrow('chunk data ended early');
  });

  it('reports a chunk cut anywhere (in the first sample too) as ended early', () => {
    const c = new XORChunk();
    for (let i = 0; i < 5; i++) c.append(1_700_000_000_000 + i * 15_000, i * 1.5);
    const bytes = c.bytes();
    for (let cut = 2; cut < bytes.length; cut++) {
      expect(() => decodeXOR(bytes.subarray(0, cut), new Float64Array(5), new Float64Array(5))).toThrow(new RangeError('chunk data ended early'));
    }
  });

  it('decodes into arrays at an offset', () => {
    const c = new XORChunk();
    c.append(5, 50);
    c.append(6, 60);
    const t = new Float64Array(4);
    const v = new Float64Array(4);
    decodeXOR(c.bytes(), t, v, 2);
    expect([...t]).toEqual([0, 0, 5, 6]);
    expect([...v]).toEqual([0, 0, 50, 60]);
  });
});

describe('XOR chunk bit-compatibility with Prometheus', () => {
  // Chunk bytes of blocks written by promtool 2.42 (`tsdb create-blocks-from openmetrics`) for
  // these samples, read out of chunks/000001. Our encoder must produce the same bytes.
  const GO_NAN = new Float64Array(new BigUint64Array([0x7ff8000000000001n]).buffer)[0];
  it.each([
    [
      'irregular gauge',
      [1700000000000, 1700000015000, 1700000030001, 1700000044999, 1700000060000, 1700000075500, 1700003675500, 1700003690500],
      [1, 1, 2.5, -3.25, 1e300, 0.1, 0.30000000000000004, 123456789],
      '000880a0abfef9623ff000000000000098754000e137ffb7ffb80f800f000783ebe3de43c8800759e07cf0fd0639f6944667b01f80000000001b58fa401aaaaaaaaaaaabfffffffffffe4a60c5f939701d9cccccd0',
    ],
    ['negative zero then NaN', [1700090090500, 1700090105500], [-0, GO_NAN], '000288d0a0d4fa6280000000000000009875c007ffc0000000000008'],
  ])('%s', (_name, ts, vs, hex) => {
    const c = new XORChunk();
    ts.forEach((t, i) => c.append(t, vs[i]));
    expect(Buffer.from(c.bytes()).toString('hex')).toBe(hex);
  });
});
