import { encodeLabels, labelKeyOf, Matcher } from '@myelin/model';
import { CodecError, decodeQueryRequest, decodeSeriesBatch, decodeStrings, encodeQueryRequest, encodeSeriesBatch, encodeStrings } from './codec';

const labels = [
  [{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }],
  [{ name: '__name__', value: 'température' }],
  [{ name: '__name__', value: 'x' }],
];
const offsets = Int32Array.of(0, 2, 2, 5);
const timestamps = Float64Array.of(1, 2, 3, 4, 5);
const values = Float64Array.of(10, NaN, -0, 1e300, 7);

describe('series batch codec', () => {
  it('round-trips a whole batch', () => {
    const d = decodeSeriesBatch(Buffer.concat(encodeSeriesBatch('tenant-α', labels, offsets, timestamps, values)));
    expect({ tenant: d.tenant, seriesCount: d.seriesCount, labels: d.labels, offsets: d.offsets, timestamps: d.timestamps, values: d.values }).toEqual({
      tenant: 'tenant-α',
      seriesCount: 3,
      labels,
      offsets: Int32Array.of(0, 2, 2, 5),
      timestamps,
      values,
    });
    expect(d.labelsOf(1)).toEqual(labels[1]);
    expect(d.keyOf(0)).toBe(labelKeyOf(encodeLabels(labels[0])));
  });

  it('encodes a chosen subset of series, in the order given', () => {
    const d = decodeSeriesBatch(Buffer.concat(encodeSeriesBatch('t', labels, offsets, timestamps, values, Int32Array.of(2, 0))));
    expect(d.labels).toEqual([labels[2], labels[0]]);
    expect([...d.offsets]).toEqual([0, 3, 5]);
    expect([...d.timestamps]).toEqual([3, 4, 5, 1, 2]);
  });

  it('decodes from a misaligned buffer', () => {
    const bytes = Buffer.concat(encodeSeriesBatch('t', labels, offsets, timestamps, values));
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(decodeSeriesBatch(shifted.subarray(3)).values[3]).toBe(1e300);
  });

  it('refuses every truncation of a valid batch, with CodecError', () => {
    const bytes = Buffer.concat(encodeSeriesBatch('t', labels, offsets, timestamps, values));
    for (let n = 0; n < bytes.length; n++) expect(() => decodeSeriesBatch(bytes.subarray(0, n))).toThrow(CodecError);
  });
});

describe('query codec', () => {
  it('round-trips a query with every matcher type', () => {
    const q = {
      tenant: 't',
      mint: -5,
      maxt: 1e13,
      labelName: 'job',
      limit: 7,
      matchers: [new Matcher('=', 'a', 'b'), new Matcher('!=', 'c', ''), new Matcher('=~', 'd', 'x|y'), new Matcher('!~', 'e', '.+')],
    };
    expect(decodeQueryRequest(encodeQueryRequest(q))).toEqual(q);
  });

  it('round-trips string lists', () => {
    expect(decodeStrings(encodeStrings(['', 'a', '日本']))).toEqual(['', 'a', '日本']);
  });
});
