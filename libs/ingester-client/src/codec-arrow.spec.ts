import { encodeLabels, labelKeyOf } from '@myelin/model';
import { Float64, Int64, makeData, RecordBatch, Schema, Field, Struct, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { CodecError } from './codec';
import { decodeChunksArrow, decodeSeriesArrow, encodeChunksArrow, encodeSeriesArrow } from './codec-arrow';

const labels = [
  [{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }],
  [{ name: '__name__', value: 'température' }],
  [{ name: '__name__', value: 'x' }],
];
const STALE = new Float64Array(new Uint32Array([2, 0x7ff00000]).buffer)[0];
const bitsOf = (xs: Float64Array) => Array.from(new Uint32Array(xs.slice().buffer));

describe('Arrow series codec', () => {
  it.each<[string, number[]]>([
    ['ordinary times', [1_700_000_000_000, 1_700_000_015_000]],
    ['negative and small times', [-1, 0]],
    ['times past 2^32 ms either way', [-(2 ** 40) - 7, 2 ** 52 + 3]],
  ])('round-trips labels, offsets, values bit for bit, and %s', (_, times) => {
    const timestamps = Float64Array.from([...times, 5, 6, 7]);
    const values = Float64Array.of(10, NaN, -0, 1e300, STALE);
    const offsets = Int32Array.of(0, 2, 2, 5);
    const d = decodeSeriesArrow(encodeSeriesArrow(labels, offsets, timestamps, values), 'tenant-α');
    expect({ tenant: d.tenant, seriesCount: d.seriesCount, labels: d.labels, offsets: [...d.offsets], timestamps: [...d.timestamps] }).toEqual({ tenant: 'tenant-α', seriesCount: 3, labels, offsets: [0, 2, 2, 5], timestamps: [...timestamps] });
    expect(bitsOf(d.values)).toEqual(bitsOf(values));
    expect(d.keyOf(0)).toBe(labelKeyOf(encodeLabels(labels[0])));
  });

  it('writes a standard Arrow stream any Arrow reader understands (Int64 times, Float64 values)', () => {
    const table = tableFromIPC(encodeSeriesArrow(labels.slice(0, 1), Int32Array.of(0, 2), Float64Array.of(1000, 2000), Float64Array.of(1.5, 2.5)));
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['labels:Binary', 'timestamps:List<Int64>', 'values:List<Float64>']);
    expect(table.getChild('timestamps')?.get(0)?.toArray()).toEqual(BigInt64Array.of(1000n, 2000n));
  });

  it('encodes only the samples the offsets name', () => {
    const d = decodeSeriesArrow(encodeSeriesArrow(labels.slice(0, 1), Int32Array.of(2, 4), Float64Array.of(0, 0, 3, 4, 0), Float64Array.of(0, 0, 30, 40, 0)));
    expect([[...d.offsets], [...d.timestamps], [...d.values]]).toEqual([[0, 2], [3, 4], [30, 40]]);
  });

  it('round-trips an empty answer', () => {
    const d = decodeSeriesArrow(encodeSeriesArrow([], Int32Array.of(0), new Float64Array(0), new Float64Array(0)));
    expect(d.seriesCount).toBe(0);
  });

  it('refuses a stream of another shape (an Int64 values column), naming it', () => {
    const schema = new Schema([new Field('labels', new Int64()), new Field('timestamps', new Int64()), new Field('values', new Float64())]);
    const data = makeData({ type: new Struct(schema.fields), length: 1, children: [makeData({ type: new Int64(), length: 1, data: BigInt64Array.of(1n) }), makeData({ type: new Int64(), length: 1, data: BigInt64Array.of(1n) }), makeData({ type: new Float64(), length: 1, data: Float64Array.of(1) })] });
    const bytes = tableToIPC(new Table([new RecordBatch(schema, data)]), 'stream');
    expect(() => decodeSeriesArrow(bytes)).toThrow(new CodecError('unexpected Arrow schema: labels:Int64,timestamps:Int64,values:Float64'));
  });

  it.each([
    ['garbage', Buffer.from('not arrow at all')],
    ['a truncated stream', Buffer.from(encodeSeriesArrow(labels, Int32Array.of(0, 2, 2, 5), Float64Array.of(1, 2, 3, 4, 5), Float64Array.of(1, 2, 3, 4, 5))).subarray(0, 100)],
  ])('refuses %s with a CodecError', (_, bytes) => {
    expect(() => decodeSeriesArrow(bytes)).toThrow(CodecError);
  });
});

describe('Arrow chunk codec (query_chunks)', () => {
  const chunk = (minTime: number, maxTime: number, bytes: number[]) => ({ minTime, maxTime, bytes: Uint8Array.from(bytes) });

  it('round-trips series with their encoded chunks, byte for byte', () => {
    const series = [
      { labels: labels[0], chunks: [chunk(1_700_000_000_000, 1_700_000_015_000, [0, 2, 9, 9]), chunk(1_700_000_030_000, 1_700_000_030_000, [0, 1, 7])] },
      { labels: labels[1], chunks: [] },
      { labels: labels[2], chunks: [chunk(-5, 2 ** 40, [0, 1])] },
    ];
    const back = decodeChunksArrow(encodeChunksArrow(series));
    expect(back.map((s) => ({ labels: s.labels, chunks: s.chunks.map((c) => ({ minTime: c.minTime, maxTime: c.maxTime, bytes: [...c.bytes] })) }))).toEqual(
      series.map((s) => ({ labels: s.labels, chunks: s.chunks.map((c) => ({ minTime: c.minTime, maxTime: c.maxTime, bytes: [...c.bytes] })) })),
    );
  });

  it('decodes the labels of a series once across the replicas\' answers sharing a cache', () => {
    const answer = encodeChunksArrow([{ labels: labels[0], chunks: [chunk(1, 2, [0, 1])] }]);
    const cache = new Map();
    const [a] = decodeChunksArrow(answer, cache);
    const [b] = decodeChunksArrow(answer, cache);
    expect(a.labels).toEqual(labels[0]);
    expect(b.labels).toBe(a.labels);
  });

  it('refuses a samples answer where chunks are expected, naming the schema', () => {
    const samples = encodeSeriesArrow(labels.slice(0, 1), Int32Array.of(0, 1), Float64Array.of(1), Float64Array.of(1));
    expect(() => decodeChunksArrow(samples)).toThrow(new CodecError('unexpected Arrow schema: labels:Binary,timestamps:List<Int64>,values:List<Float64>'));
  });
});
