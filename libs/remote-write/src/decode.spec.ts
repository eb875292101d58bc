import { seededRandom as rng } from '@myelin/model/testing';
import { negotiate } from './content-type';
import { decodeWriteRequestV1, decodeWriteRequestV2, LabelsCache } from './decode';
import { encodeWriteRequestV1, encodeWriteRequestV2, type SeriesToWrite } from './encode';
import { DecodeError, ProtoWriter } from './protobuf';
import { snappyDecode, snappyEncode } from './snappy';

const up: SeriesToWrite = { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'node' }], timestamps: [1000, 16000], values: [1, 0] };
const weird: SeriesToWrite = {
  labels: [{ name: '__name__', value: 'température' }, { name: 'zone', value: '東京' }],
  timestamps: [-5000, 0, 9_007_199_254_740],
  values: [NaN, -0, Infinity],
};

function plain(d: ReturnType<typeof decodeWriteRequestV1>) {
  return Array.from({ length: d.seriesCount }, (_, i) => ({
    labels: d.labels[i],
    timestamps: [...d.timestamps.subarray(d.offsets[i], d.offsets[i + 1])],
    values: [...d.values.subarray(d.offsets[i], d.offsets[i + 1])],
  }));
}

describe('remote write 1.0 decoding', () => {
  it('decodes a hand-built WriteRequest byte for byte', () => {
    // {__name__="up"} 1 @1000: Label(0a 08 "__name__" 12 02 "up"), Sample(09 <1.0 LE> 10 e8 07)
    const hex = '0a1e' + '0a0e' + '0a085f5f6e616d655f5f12027570' + '120c' + '09000000000000f03f' + '10e807';
    const d = decodeWriteRequestV1(Buffer.from(hex, 'hex'));
    expect(plain(d)).toEqual([{ labels: [{ name: '__name__', value: 'up' }], timestamps: [1000], values: [1] }]);
  });

  it('round-trips series, negative timestamps, NaN, unicode and metadata', () => {
    const d = decodeWriteRequestV1(encodeWriteRequestV1([up, weird], 2));
    expect(plain(d)).toEqual([
      { labels: up.labels, timestamps: [1000, 16000], values: [1, 0] },
      { labels: weird.labels, timestamps: [-5000, 0, 9_007_199_254_740], values: [NaN, -0, Infinity] },
    ]);
    expect(d).toMatchObject({ version: 1, sampleCount: 5, metadataCount: 2, histogramCount: 0 });
  });

  it('reuses cached label sets for series it has seen', () => {
    const cache = new LabelsCache();
    const body = encodeWriteRequestV1([up, weird]);
    const first = decodeWriteRequestV1(body, cache);
    const second = decodeWriteRequestV1(body, cache);
    expect(cache.size).toBe(2);
    expect(second.labels[0]).toBe(first.labels[0]);
    expect(second.labels[1]).toEqual(weird.labels);
  });

  it('grows its columns for large requests', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ labels: [{ name: '__name__', value: `m${i}` }], timestamps: [i, i + 1], values: [i, -i] }));
    const d = decodeWriteRequestV1(encodeWriteRequestV1(many));
    expect(d.seriesCount).toBe(3000);
    expect(d.sampleCount).toBe(6000);
    expect(d.values[5999]).toBe(-2999);
  });

  it('counts exemplars and histograms without decoding them', () => {
    const w = new ProtoWriter();
    w.message(1, (ts) => {
      ts.message(1, (l) => l.tag(1, 2).string('__name__').tag(2, 2).string('h'));
      ts.message(3, (e) => e.tag(2, 1).double(1));
      ts.message(4, (h) => h.tag(3, 1).double(5));
    });
    expect(decodeWriteRequestV1(w.finish())).toMatchObject({ seriesCount: 1, sampleCount: 0, exemplarCount: 1, histogramCount: 1 });
  });

  it.each([
    ['a truncated varint', '0a', 'truncated varint at byte 1'],
    ['a length past the end', '0a05' + '0a', 'field of 5 bytes at byte 2 overruns its message (1 bytes left)'],
    ['a huge length', '0affffffff0f', 'field of 4294967295 bytes at byte 6 overruns its message (0 bytes left)'],
    ['a wrong wire type for timeseries', '08' + '01', 'field 1 of WriteRequest has wire type 0, want 2 (byte 0)'],
    ['a wrong wire type for a sample value', '0a04' + '1202' + '0801', 'field 1 of Sample has wire type 0, want 1 (byte 4)'],
    ['an unsupported wire type', '17', 'unsupported wire type 7 at byte 1'],
    ['a truncated double', '0a05' + '1203' + '090000', 'truncated double at byte 5'],
    ['invalid UTF-8 in a label', '0a08' + '0a06' + '0a01ff120161', 'string at byte 6 is not valid UTF-8'],
    ['an 11-byte varint', '10' + 'ffffffffffffffffffff01', 'varint longer than 10 bytes at byte 11'],
  ])('refuses %s', (_name, hex, message) => {
    expect(() => decodeWriteRequestV1(Buffer.from(hex, 'hex'))).toThrow(new DecodeError(message));
  });
});

describe('remote write 2.0 decoding', () => {
  it('round-trips through the symbol table', () => {
    const d = decodeWriteRequestV2(encodeWriteRequestV2([up, weird]));
    expect(plain(d)).toEqual([
      { labels: up.labels, timestamps: [1000, 16000], values: [1, 0] },
      { labels: weird.labels, timestamps: [-5000, 0, 9_007_199_254_740], values: [NaN, -0, Infinity] },
    ]);
    expect(d.version).toBe(2);
  });

  it.each([
    ['a reference past the symbols', (w: ProtoWriter) => w.tag(4, 2).string('').message(5, (ts) => ts.tag(1, 0).varint(0).tag(1, 0).varint(3)), 'labels_refs index 3 out of range (1 symbols)'],
    ['an odd number of references', (w: ProtoWriter) => w.tag(4, 2).string('a').message(5, (ts) => ts.tag(1, 0).varint(0)), 'labels_refs has an odd length 1'],
  ])('refuses %s', (_name, build, message) => {
    const w = new ProtoWriter();
    build(w);
    expect(() => decodeWriteRequestV2(w.finish())).toThrow(message);
  });
});

describe('snappy', () => {
  it('round-trips', () => {
    const raw = encodeWriteRequestV1([up, weird]);
    expect(Buffer.from(snappyDecode(snappyEncode(raw), 1 << 20)).equals(Buffer.from(raw))).toBe(true);
  });

  it('refuses a body whose declared size is over the limit, before allocating it', () => {
    const raw = new Uint8Array(5000);
    expect(() => snappyDecode(snappyEncode(raw), 4096)).toThrow('snappy: The uncompressed length of 5000 is too big, expect at most 4096 (-distributor.max-recv-msg-size)');
  });

  it('refuses garbage', () => {
    expect(() => snappyDecode(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1 << 20)).toThrow(DecodeError);
  });

  it.each([
    // A 4-byte literal length with the top bit set: snappyjs loops for ever on this.
    ['a literal length over 2^31', '0a' + 'fc' + 'ffffff8f' + '00', 'snappy: literal of 2415919104 bytes overruns the input'],
    ['a copy before any output', '04' + '0501', 'snappy: copy offset 1 outside the 0 bytes written'],
    ['output shorter than declared', '05' + '0061', 'snappy: 1 bytes decoded, 5 declared'],
    ['output longer than declared', '01' + '0061' + '0061', 'snappy: output longer than its declared length'],
  ])('refuses %s without hanging', (_name, hex, message) => {
    expect(() => snappyDecode(Buffer.from(hex, 'hex'), 1 << 20)).toThrow(new DecodeError(message));
  });

  it('decodes what snappyjs encodes, for random data of every kind', () => {
    let seed = 1;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) / 65536;
    for (let k = 0; k < 200; k++) {
      const len = Math.floor(rand() * 5000);
      const alphabet = 1 + Math.floor(rand() * 255); // small alphabets produce overlapping copies
      const raw = Uint8Array.from({ length: len }, () => Math.floor(rand() * alphabet));
      expect(Buffer.from(snappyDecode(snappyEncode(raw), 1 << 20)).equals(Buffer.from(raw))).toBe(true);
    }
  });
});

describe('negotiate', () => {
  it.each([
    ['application/x-protobuf', 'snappy', { ok: true, version: 1 }],
    [undefined, 'snappy', { ok: true, version: 1 }],
    ['application/x-protobuf;proto=prometheus.WriteRequest', 'snappy', { ok: true, version: 1 }],
    ['application/x-protobuf; proto=io.prometheus.write.v2.Request', 'snappy', { ok: true, version: 2 }],
    ['application/json', 'snappy', { ok: false, error: 'unsupported Content-Type "application/json": want application/x-protobuf' }],
    ['application/x-protobuf;proto=foo.Bar', 'snappy', { ok: false, error: 'unsupported remote write protobuf message "foo.Bar": want prometheus.WriteRequest or io.prometheus.write.v2.Request' }],
    ['application/x-protobuf', 'gzip', { ok: false, error: 'unsupported Content-Encoding "gzip": remote write bodies must be snappy-compressed' }],
    ['application/x-protobuf', undefined, { ok: false, error: 'unsupported Content-Encoding "": remote write bodies must be snappy-compressed' }],
  ])('%s with %s', (type, encoding, expected) => {
    expect(negotiate(type, encoding)).toEqual(expected);
  });
});

describe('decoder fuzz (random and mutated bodies)', () => {

  it('either decodes or throws DecodeError, for 20,000 inputs, quickly', () => {
    const r = rng(42);
    const valid = [encodeWriteRequestV1([up, weird], 1), encodeWriteRequestV2([up, weird])];
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      let body: Uint8Array;
      if (i % 3 === 0) {
        body = Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256));
      } else {
        body = valid[i % 2].slice();
        const flips = 1 + Math.floor(r() * 4);
        for (let f = 0; f < flips; f++) body[Math.floor(r() * body.length)] = Math.floor(r() * 256);
        if (r() < 0.3) body = body.subarray(0, Math.floor(r() * body.length));
      }
      try {
        snappyDecode(r() < 0.5 ? body : snappyEncode(body).map((b, k) => (k === 3 ? b ^ 0x80 : b)), 1 << 16);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
      }
      for (const decode of [decodeWriteRequestV1, decodeWriteRequestV2]) {
        try {
          const d = decode(body);
          expect(d.offsets[d.seriesCount]).toBe(d.sampleCount);
          decoded++;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw new Error(`input ${Buffer.from(body).toString('hex')} threw ${(e as Error).stack}`);
          refused++;
        }
      }
    }
    expect(decoded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
