import { XORChunk } from '@myelin/tsdb-chunkenc';
import { SampleBuffer } from '@myelin/storage';
import { FormatError } from './bytes';
import type { EncodedChunk } from './reader';
import { combineChunkSeries, decodeUnique, mergeChunkSeries, uniqueChunks } from './replica-chunks';

function chunk(samples: Array<[number, number]>): EncodedChunk {
  const c = new XORChunk();
  for (const [t, v] of samples) c.append(t, v);
  return { minTime: samples[0][0], maxTime: samples[samples.length - 1][0], bytes: c.bytes() };
}
const pairs = (x: { timestamps: Float64Array; values: Float64Array }) => Array.from(x.timestamps, (t, i) => [t, x.values[i]]);

describe('replica chunks', () => {
  const a = chunk([[1, 1], [2, 2]]);
  const b = chunk([[3, 3], [4, 4]]);

  it('keeps one of identical replica chunks, in time order', () => {
    expect(uniqueChunks([[a, b], [chunk([[1, 1], [2, 2]]), chunk([[3, 3], [4, 4]])], [b]])).toEqual([a, b]);
  });

  it.each([
    ['replicas alike', () => [[a, b], [chunk([[1, 1], [2, 2]]), chunk([[3, 3], [4, 4]])]], 2],
    ['same count, one chunk differing', () => [[a, b], [a, chunk([[3, 3], [4, 5]])]], 3],
    ['one list out of time order', () => [[b, a], [b, a]], 2],
    ['one list alone', () => [[a, b]], 2],
    ['store and ingesters sharing one chunk', () => [[a, b], [chunk([[3, 3], [4, 4]]), chunk([[5, 5], [6, 6]])]], 3],
    ['three replicas, one short a chunk', () => [[a, b], [chunk([[1, 1], [2, 2]]), chunk([[3, 3], [4, 4]])], [b]], 2],
    ['same start, different ends', () => [[a, b], [chunk([[1, 1], [2, 2], [2.5, 9]])]], 3],
  ])('keeps each distinct chunk once, in time order: %s', (_name, lists, count) => {
    const kept = uniqueChunks(lists());
    expect(kept).toHaveLength(count);
    expect(kept.every((c, i) => i === 0 || c.minTime >= kept[i - 1].minTime)).toBe(true);
    expect(kept.slice(0, 1)).toEqual([a]);
  });

  it('keeps replica chunks that differ, and merges their samples', () => {
    const gap = chunk([[1, 1], [3, 3]]); // this replica missed the sample at 2
    const chunks = uniqueChunks([[a], [gap]]);
    expect(chunks).toHaveLength(2);
    expect(pairs(decodeUnique(chunks, -Infinity, Infinity))).toEqual([[1, 1], [2, 2], [3, 3]]);
  });

  it.each([
    ['sources in label order (merged head by head)', false],
    ['a source out of label order (joined by key, then sorted)', true],
  ])('combines series from several sources: %s', (_, shuffled) => {
    const L = (v: string) => [{ name: '__name__', value: v }];
    const x = L('x');
    const first = [{ labels: L('a'), chunks: [a] }, { labels: x, chunks: [a] }, { labels: L('z'), chunks: [b] }];
    const second = [{ labels: L('b'), chunks: [b] }, { labels: L('x'), chunks: [chunk([[1, 1], [2, 2]]), b] }];
    const out = combineChunkSeries([shuffled ? [...first].reverse() : first, second]);
    expect(out.map((s) => [s.labels[0].value, s.chunks.length])).toEqual([
      ['a', 1],
      ['b', 1],
      ['x', 2], // a once (identical replicas), then b
      ['z', 1],
    ]);
    expect(out[2].chunks[0]).toBe(a);
  });

  it('merges series across blocks: replicas once, neighbours in time joined, trimmed to the range', () => {
    const labels = [{ name: '__name__', value: 'up' }];
    const other = [{ name: '__name__', value: 'down' }];
    const out = mergeChunkSeries(
      [
        [{ labels, chunks: [a] }],
        [{ labels, chunks: [chunk([[1, 1], [2, 2]])] }, { labels: other, chunks: [b] }],
        [{ labels, chunks: [b] }],
      ],
      2,
      3,
    );
    expect(out.map((s) => [s.labels[0].value, pairs(s)])).toEqual([
      ['down', [[3, 3]]],
      ['up', [[2, 2], [3, 3]]],
    ]);
  });

  it('decodes into a lent buffer the same samples its columns hold, and keeps nothing of it', () => {
    const labels = [{ name: '__name__', value: 'up' }];
    const [s] = mergeChunkSeries([[{ labels, chunks: [a, b] }]], 2, 4);
    const buffer = new SampleBuffer();
    const lent = s.decodeInto!(buffer);
    expect(pairs(lent)).toEqual([[2, 2], [3, 3], [4, 4]]);
    expect(lent.timestamps.buffer).toBe(buffer.timestamps.buffer);
    expect(pairs(s)).toEqual([[2, 2], [3, 3], [4, 4]]);
    expect(s.timestamps.buffer).not.toBe(buffer.timestamps.buffer);
  });

  it('leaves out a series whose only chunk spans the range without a sample in it', () => {
    const labels = [{ name: '__name__', value: 'up' }];
    const other = [{ name: '__name__', value: 'down' }];
    const out = mergeChunkSeries([[{ labels, chunks: [chunk([[1, 1], [10, 2]])] }, { labels: other, chunks: [chunk([[1, 1], [5, 5], [10, 2]])] }]], 4, 6);
    expect(out.map((s) => [s.labels[0].value, pairs(s)])).toEqual([['down', [[5, 5]]]]);
  });

  it('reports a chunk that fails to decode as a format error naming the series', () => {
    const labels = [{ name: '__name__', value: 'up' }];
    const cut = { ...b, bytes: b.bytes.subarray(0, 4) }; // says 2 samples, holds part of one
    const [s] = mergeChunkSeries([[{ labels, chunks: [a, cut] }]], 0, 10);
    expect(() => s.timestamps).toThrow(FormatError);
    expect(() => s.decodeInto!(new SampleBuffer())).toThrow(/^corrupt chunk in series up\{\}: /);
  });
});
