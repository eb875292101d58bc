import type { Label, Labels } from '@myelin/model';
import { DecodeError, ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './protobuf';

/**
 * A decoded remote-write request, columnar: one label set per series, the samples of all series
 * in shared typed arrays (series i owns [offsets[i], offsets[i+1])). No object per sample.
 */
export interface DecodedWrite {
  readonly version: 1 | 2;
  readonly seriesCount: number;
  readonly labels: Labels[];
  readonly offsets: Int32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly sampleCount: number;
  readonly histogramCount: number;
  readonly exemplarCount: number;
  readonly metadataCount: number;
}

/** What the decoder asks of a label cache: look up by the raw label bytes, remember a new set. */
export interface LabelsLookup {
  get(key: string): Labels | undefined;
  set(key: string, labels: Labels): void;
}

/**
 * Label sets of series seen before, keyed by the raw bytes of their labels in the request. In
 * steady state almost every series is known, so its labels are neither decoded nor allocated again
 * (measured: 2.3x faster decoding, ../shared/notes/performance-facts.md).
 */
export class LabelsCache implements LabelsLookup {
  private map = new Map<string, Labels>();
  constructor(private readonly maxEntries = 200_000) {}

  get(key: string): Labels | undefined {
    return this.map.get(key);
  }

  set(key: string, labels: Labels): void {
    if (this.map.size >= this.maxEntries) this.map = new Map(); // cheap reset; the working set refills it
    this.map.set(key, labels);
  }

  get size(): number {
    return this.map.size;
  }
}

class Columns {
  timestamps: Float64Array;
  values: Float64Array;
  count = 0;
  offsets: Int32Array;
  series = 0;
  readonly labels: Labels[] = [];

  constructor(bodyBytes: number) {
    const guess = Math.max(64, Math.ceil(bodyBytes / 16));
    this.timestamps = new Float64Array(guess);
    this.values = new Float64Array(guess);
    this.offsets = new Int32Array(Math.max(16, Math.ceil(bodyBytes / 64)) + 1);
  }

  push(t: number, v: number): void {
    if (this.count === this.timestamps.length) {
      const t2 = new Float64Array(this.count * 2);
      t2.set(this.timestamps);
      this.timestamps = t2;
      const v2 = new Float64Array(this.count * 2);
      v2.set(this.values);
      this.values = v2;
    }
    this.timestamps[this.count] = t;
    this.values[this.count] = v;
    this.count++;
  }

  endSeries(labels: Labels): void {
    if (this.series + 2 > this.offsets.length) {
      const o2 = new Int32Array(this.offsets.length * 2);
      o2.set(this.offsets);
      this.offsets = o2;
    }
    this.labels.push(labels);
    this.series++;
    this.offsets[this.series] = this.count;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeString(buf: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new DecodeError(`string at byte ${start} is not valid UTF-8`);
  }
}

function expectWire(field: number, message: string, wire: number, want: number, pos: number): void {
  if (wire !== want) throw new DecodeError(`field ${field} of ${message} has wire type ${wire}, want ${want} (byte ${pos})`);
}

/** Decodes `prometheus.WriteRequest` (remote write 1.0). */
export function decodeWriteRequestV1(buf: Uint8Array, cache?: LabelsLookup): DecodedWrite {
  const r = new ProtoReader(buf);
  const cols = new Columns(buf.length);
  let histograms = 0;
  let exemplars = 0;
  let metadata = 0;
  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire(1, 'WriteRequest', wire, WIRE_LEN, at);
      const end = r.lengthDelimitedEnd();
      const counts = readTimeSeriesV1(buf, r.pos, end, cols, r.view, cache);
      histograms += counts.histograms;
      exemplars += counts.exemplars;
      r.pos = end;
    } else if (field === 3) {
      expectWire(3, 'WriteRequest', wire, WIRE_LEN, at);
      metadata++;
      r.skip(wire);
    } else {
      r.skip(wire);
    }
  }
  return finish(1, cols, histograms, exemplars, metadata);
}

function readTimeSeriesV1(buf: Uint8Array, start: number, end: number, cols: Columns, view: DataView, cache?: LabelsLookup): { histograms: number; exemplars: number } {
  const r = new ProtoReader(buf, start, end, view);
  let labelsStart = -1;
  let labelsEnd = -1;
  let contiguous = true;
  const labelRanges: number[] = [];
  let histograms = 0;
  let exemplars = 0;
  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire(1, 'TimeSeries', wire, WIRE_LEN, at);
      const fieldEnd = r.lengthDelimitedEnd();
      if (labelsStart < 0) labelsStart = at;
      else if (labelsEnd !== at) contiguous = false;
      labelsEnd = fieldEnd;
      labelRanges.push(r.pos, fieldEnd);
      r.pos = fieldEnd;
    } else if (field === 2) {
      expectWire(2, 'TimeSeries', wire, WIRE_LEN, at);
      readSample(r, cols);
    } else if (field === 3) {
      expectWire(3, 'TimeSeries', wire, WIRE_LEN, at);
      exemplars++;
      r.skip(wire);
    } else if (field === 4) {
      expectWire(4, 'TimeSeries', wire, WIRE_LEN, at);
      histograms++;
      r.skip(wire);
    } else {
      r.skip(wire);
    }
  }
  let labels: Labels | undefined;
  const key = cache && contiguous && labelsStart >= 0 ? Buffer.from(buf.buffer, buf.byteOffset + labelsStart, labelsEnd - labelsStart).toString('latin1') : undefined;
  if (key !== undefined) labels = cache!.get(key);
  if (!labels) {
    labels = decodeLabelsV1(buf, labelRanges, view);
    if (key !== undefined) cache!.set(key, labels);
  }
  cols.endSeries(labels);
  return { histograms, exemplars };
}

/**
 * Reads one length-delimited `Sample` (value = 1 double, timestamp = 2 int64; the same message in
 * remote write 1.0 and 2.0) at the reader's position into the columns. Absent fields are 0.
 */
function readSample(r: ProtoReader, cols: Columns): void {
  const sampleEnd = r.lengthDelimitedEnd();
  const outerEnd = r.end;
  r.end = sampleEnd;
  let value = 0;
  let ts = 0;
  while (r.pos < sampleEnd) {
    const at = r.pos;
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      expectWire(1, 'Sample', wire, WIRE_FIXED64, at);
      value = r.double();
    } else if (field === 2) {
      expectWire(2, 'Sample', wire, WIRE_VARINT, at);
      ts = r.varint(true);
    } else r.skip(wire);
  }
  r.end = outerEnd;
  cols.push(ts, value);
}

function decodeLabelsV1(buf: Uint8Array, ranges: number[], view: DataView): Labels {
  const labels: Label[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const r = new ProtoReader(buf, ranges[i], ranges[i + 1], view);
    let name = '';
    let value = '';
    while (r.pos < r.end) {
      const at = r.pos;
      const tag = r.varint();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 1 || field === 2) {
        expectWire(field, 'Label', wire, WIRE_LEN, at);
        const end = r.lengthDelimitedEnd();
        const s = decodeString(buf, r.pos, end);
        if (field === 1) name = s;
        else value = s;
        r.pos = end;
      } else r.skip(wire);
    }
    labels.push({ name, value });
  }
  return labels;
}

/** Decodes `io.prometheus.write.v2.Request` (remote write 2.0). */
export function decodeWriteRequestV2(buf: Uint8Array): DecodedWrite {
  // Symbols may follow the series in the byte stream, so they are collected first.
  const symbols: string[] = [];
  const seriesRanges: number[] = [];
  const r = new ProtoReader(buf);
  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 4) {
      expectWire(4, 'Request', wire, WIRE_LEN, at);
      const end = r.lengthDelimitedEnd();
      symbols.push(decodeString(buf, r.pos, end));
      r.pos = end;
    } else if (field === 5) {
      expectWire(5, 'Request', wire, WIRE_LEN, at);
      const end = r.lengthDelimitedEnd();
      seriesRanges.push(r.pos, end);
      r.pos = end;
    } else r.skip(wire);
  }
  const cols = new Columns(buf.length);
  let histograms = 0;
  let exemplars = 0;
  let metadata = 0;
  for (let i = 0; i < seriesRanges.length; i += 2) {
    const c = readTimeSeriesV2(buf, seriesRanges[i], seriesRanges[i + 1], symbols, cols, r.view);
    histograms += c.histograms;
    exemplars += c.exemplars;
    metadata += c.metadata;
  }
  return finish(2, cols, histograms, exemplars, metadata);
}

function readTimeSeriesV2(buf: Uint8Array, start: number, end: number, symbols: string[], cols: Columns, view: DataView) {
  const r = new ProtoReader(buf, start, end, view);
  const refs: number[] = [];
  let histograms = 0;
  let exemplars = 0;
  let metadata = 0;
  const symbol = (ref: number) => {
    if (ref >= symbols.length) throw new DecodeError(`labels_refs index ${ref} out of range (${symbols.length} symbols)`);
    return symbols[ref];
  };
  while (r.pos < r.end) {
    const at = r.pos;
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1) {
      if (wire === WIRE_LEN) {
        const packedEnd = r.lengthDelimitedEnd();
        while (r.pos < packedEnd) refs.push(r.varint());
        if (r.pos !== packedEnd) throw new DecodeError(`packed labels_refs overrun at byte ${r.pos}`);
      } else {
        expectWire(1, 'TimeSeries', wire, WIRE_VARINT, at);
        refs.push(r.varint());
      }
    } else if (field === 2) {
      expectWire(2, 'TimeSeries', wire, WIRE_LEN, at);
      readSample(r, cols);
    } else if (field === 3) {
      expectWire(3, 'TimeSeries', wire, WIRE_LEN, at);
      histograms++;
      r.skip(wire);
    } else if (field === 4) {
      expectWire(4, 'TimeSeries', wire, WIRE_LEN, at);
      exemplars++;
      r.skip(wire);
    } else if (field === 5) {
      expectWire(5, 'TimeSeries', wire, WIRE_LEN, at);
      const mEnd = r.lengthDelimitedEnd();
      if (mEnd > r.pos) metadata++;
      r.pos = mEnd;
    } else r.skip(wire);
  }
  if (refs.length % 2 !== 0) throw new DecodeError(`labels_refs has an odd length ${refs.length}`);
  const labels: Label[] = [];
  for (let i = 0; i < refs.length; i += 2) labels.push({ name: symbol(refs[i]), value: symbol(refs[i + 1]) });
  cols.endSeries(labels);
  return { histograms, exemplars, metadata };
}

function finish(version: 1 | 2, cols: Columns, histogramCount: number, exemplarCount: number, metadataCount: number): DecodedWrite {
  return {
    version,
    seriesCount: cols.series,
    labels: cols.labels,
    offsets: cols.offsets.subarray(0, cols.series + 1),
    timestamps: cols.timestamps.subarray(0, cols.count),
    values: cols.values.subarray(0, cols.count),
    sampleCount: cols.count,
    histogramCount,
    exemplarCount,
    metadataCount,
  };
}
