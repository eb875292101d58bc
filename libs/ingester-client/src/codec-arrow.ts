import { Binary, Field, Float64, Int64, List, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import type { Labels } from '@myelin/model';
import { CodecError, DecodedBatch, labelSection, type SeriesBatch } from './codec';

/**
 * Query answers as an Apache Arrow IPC stream (docs/format/ingester-rpc.md): one record batch,
 * one row per series, columns `labels` (Binary: the canonical label bytes), `timestamps`
 * (List<Int64>, ms) and `values` (List<Float64>). Built from and read into typed arrays without
 * an object per sample: the Int64 column is written and read as pairs of 32-bit words, never as
 * BigInts.
 */
const SCHEMA = new Schema([new Field('labels', new Binary(), false), new Field('timestamps', new List(new Field('item', new Int64(), false)), false), new Field('values', new List(new Field('item', new Float64(), false)), false)]);

const TWO_32 = 4294967296;
const INV_TWO_32 = 1 / TWO_32;

/**
 * Milliseconds (integral doubles, |t| < 2^53) as little-endian int64 words: `>>> 0` is the low
 * word (ToUint32 takes the value modulo 2^32, two's complement for negatives), and what is left
 * divides exactly by 2^32.
 */
function toInt64(ms: Float64Array): BigInt64Array {
  const words = new Int32Array(ms.length * 2);
  for (let i = 0; i < ms.length; i++) {
    const t = ms[i];
    const lo = t >>> 0;
    words[2 * i] = lo;
    words[2 * i + 1] = (t - lo) * INV_TWO_32;
  }
  return new BigInt64Array(words.buffer);
}

function fromInt64(v: BigInt64Array): Float64Array {
  const words = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = words[2 * i + 1] * TWO_32 + (words[2 * i] >>> 0);
  return out;
}

/** Series i has labels[i] and the samples [offsets[i], offsets[i+1]) of the columns. */
/** The columns of a stream's one record batch (undefined when it has none), its schema checked against `shape`. */
function singleBatch(bytes: Uint8Array, shape: string) {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (e) {
    throw new CodecError(`not an Arrow IPC stream: ${(e as Error).message}`);
  }
  const got = table.schema.fields.map((f) => `${f.name}:${f.type}`).join(',');
  if (got !== shape) throw new CodecError(`unexpected Arrow schema: ${got}`);
  if (table.batches.length === 0) return undefined;
  if (table.batches.length !== 1) throw new CodecError(`expected one record batch, got ${table.batches.length}`);
  return table.batches[0].data.children;
}

export function encodeSeriesArrow(labels: readonly Labels[], offsets: Int32Array, timestamps: Float64Array, values: Float64Array): Uint8Array {
  const n = labels.length;
  const section = labelSection(labels);
  const from = offsets[0];
  const m = offsets[n] - from;
  const sampleOffsets = from === 0 ? offsets : offsets.map((o) => o - from);
  const labelColumn = makeData({ type: new Binary(), length: n, nullCount: 0, valueOffsets: section.starts, data: new Uint8Array(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength) });
  const tsType = SCHEMA.fields[1].type as List<Int64>;
  const vsType = SCHEMA.fields[2].type as List<Float64>;
  const ts = makeData({ type: tsType, length: n, nullCount: 0, valueOffsets: sampleOffsets, child: makeData({ type: new Int64(), length: m, nullCount: 0, data: toInt64(timestamps.subarray(from, from + m)) }) });
  const vs = makeData({ type: vsType, length: n, nullCount: 0, valueOffsets: sampleOffsets, child: makeData({ type: new Float64(), length: m, nullCount: 0, data: values.subarray(from, from + m) }) });
  const struct = makeData({ type: new Struct(SCHEMA.fields), length: n, nullCount: 0, children: [labelColumn, ts, vs] });
  return tableToIPC(new Table([new RecordBatch(SCHEMA, struct)]), 'stream');
}

export function decodeSeriesArrow(bytes: Uint8Array, tenant = ''): SeriesBatch {
  const columns = singleBatch(bytes, 'labels:Binary,timestamps:List<Int64>,values:List<Float64>');
  if (!columns) return new DecodedBatch(tenant, 0, Buffer.alloc(0), Int32Array.of(0), Int32Array.of(0), new Float64Array(0), new Float64Array(0));
  const [labels, ts, vs] = columns;
  const n = labels.length;
  if (ts.length !== n || vs.length !== n) throw new CodecError('columns differ in length');
  if (labels.nullCount > 0 || ts.nullCount > 0 || vs.nullCount > 0 || ts.children[0].nullCount > 0 || vs.children[0].nullCount > 0) throw new CodecError('null values in a series answer');
  const labelStarts = labels.valueOffsets as Int32Array;
  const labelData = labels.values as Uint8Array;
  const offsets = ts.valueOffsets as Int32Array;
  const valueOffsets = vs.valueOffsets as Int32Array;
  if (labelStarts.length < n + 1 || offsets.length < n + 1 || valueOffsets.length < n + 1) throw new CodecError('offsets shorter than the columns');
  const timestamps = fromInt64(ts.children[0].values as BigInt64Array);
  const values = vs.children[0].values as Float64Array;
  if (offsets[0] !== 0 || labelStarts[0] < 0) throw new CodecError('offsets do not start at the columns\' start');
  for (let i = 0; i < n; i++) {
    if (offsets[i + 1] < offsets[i] || labelStarts[i + 1] < labelStarts[i]) throw new CodecError(`bad offsets in series ${i}`);
    if (valueOffsets[i + 1] !== offsets[i + 1]) throw new CodecError(`series ${i}: timestamps and values differ in length`);
  }
  if (offsets[n] > timestamps.length || offsets[n] > values.length || labelStarts[n] > labelData.length) throw new CodecError('offsets point past the columns');
  return new DecodedBatch(tenant, n, Buffer.from(labelData.buffer, labelData.byteOffset, labelData.byteLength), labelStarts, offsets, timestamps, values);
}

/** A series with its chunks still encoded (the shape tsdb-block's SeriesChunks has). */
export interface ChunkedSeries {
  labels: Labels;
  chunks: Array<{ minTime: number; maxTime: number; bytes: Uint8Array }>;
}

/**
 * Chunked query answers (`query_chunks`): one row per series, `labels` (Binary), and per chunk
 * `chunk_min_time` / `chunk_max_time` (List<Int64>, ms) and `chunk_data` (List<Binary>: XOR
 * chunk bytes, sample count header first). About 1.4 bytes a sample instead of 16, and the RF
 * replicas of a series carry byte-identical chunks the querier decodes once.
 */
const CHUNK_SCHEMA = new Schema([
  new Field('labels', new Binary(), false),
  new Field('chunk_min_time', new List(new Field('item', new Int64(), false)), false),
  new Field('chunk_max_time', new List(new Field('item', new Int64(), false)), false),
  new Field('chunk_data', new List(new Field('item', new Binary(), false)), false),
]);

export function encodeChunksArrow(series: readonly ChunkedSeries[]): Uint8Array {
  const n = series.length;
  const section = labelSection(series.map((s) => s.labels));
  const chunkOffsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) chunkOffsets[i + 1] = chunkOffsets[i] + series[i].chunks.length;
  const m = chunkOffsets[n];
  const mins = new Float64Array(m);
  const maxs = new Float64Array(m);
  const byteOffsets = new Int32Array(m + 1);
  let k = 0;
  for (const s of series) {
    for (const c of s.chunks) {
      mins[k] = c.minTime;
      maxs[k] = c.maxTime;
      byteOffsets[k + 1] = byteOffsets[k] + c.bytes.length;
      k++;
    }
  }
  const data = new Uint8Array(byteOffsets[m]);
  k = 0;
  for (const s of series) for (const c of s.chunks) data.set(c.bytes, byteOffsets[k++]);
  const int64List = (values: Float64Array) =>
    makeData({ type: CHUNK_SCHEMA.fields[1].type as List<Int64>, length: n, nullCount: 0, valueOffsets: chunkOffsets, child: makeData({ type: new Int64(), length: m, nullCount: 0, data: toInt64(values) }) });
  const labelColumn = makeData({ type: new Binary(), length: n, nullCount: 0, valueOffsets: section.starts, data: new Uint8Array(section.bytes.buffer, section.bytes.byteOffset, section.bytes.byteLength) });
  const chunkColumn = makeData({ type: CHUNK_SCHEMA.fields[3].type as List<Binary>, length: n, nullCount: 0, valueOffsets: chunkOffsets, child: makeData({ type: new Binary(), length: m, nullCount: 0, valueOffsets: byteOffsets, data }) });
  const struct = makeData({ type: new Struct(CHUNK_SCHEMA.fields), length: n, nullCount: 0, children: [labelColumn, int64List(mins), int64List(maxs), chunkColumn] });
  return tableToIPC(new Table([new RecordBatch(CHUNK_SCHEMA, struct)]), 'stream');
}

/**
 * `labels` (optional) is shared by the answers of one query: the RF replicas of a series then
 * decode its labels once and share one Labels object.
 */
export function decodeChunksArrow(bytes: Uint8Array, labels: Map<string, Labels> = new Map()): ChunkedSeries[] {
  const columns = singleBatch(bytes, 'labels:Binary,chunk_min_time:List<Int64>,chunk_max_time:List<Int64>,chunk_data:List<Binary>');
  if (!columns) return [];
  const [labelCol, minCol, maxCol, dataCol] = columns;
  const n = labelCol.length;
  if (minCol.length !== n || maxCol.length !== n || dataCol.length !== n) throw new CodecError('columns differ in length');
  const cols = [labelCol, minCol, maxCol, dataCol, minCol.children[0], maxCol.children[0], dataCol.children[0]];
  if (cols.some((c) => c.nullCount > 0)) throw new CodecError('null values in a chunked answer');
  const labelStarts = labelCol.valueOffsets as Int32Array;
  const labelData = labelCol.values as Uint8Array;
  const offsets = minCol.valueOffsets as Int32Array;
  const maxOffsets = maxCol.valueOffsets as Int32Array;
  const dataOffsets = dataCol.valueOffsets as Int32Array;
  const chunkStarts = dataCol.children[0].valueOffsets as Int32Array;
  const chunkBytes = dataCol.children[0].values as Uint8Array;
  if (labelStarts.length < n + 1 || offsets.length < n + 1 || maxOffsets.length < n + 1 || dataOffsets.length < n + 1) throw new CodecError('offsets shorter than the columns');
  const mins = fromInt64(minCol.children[0].values as BigInt64Array);
  const maxs = fromInt64(maxCol.children[0].values as BigInt64Array);
  const m = offsets[n];
  if (offsets[0] !== 0 || labelStarts[0] < 0 || m > mins.length || m > maxs.length || chunkStarts.length < m + 1 || labelStarts[n] > labelData.length || chunkStarts[m] > chunkBytes.length) throw new CodecError('offsets point past the columns');
  const labelBuf = Buffer.from(labelData.buffer, labelData.byteOffset, labelData.byteLength);
  const batch = new DecodedBatch('', n, labelBuf, labelStarts, offsets, new Float64Array(0), new Float64Array(0));
  const out: ChunkedSeries[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const from = offsets[i];
    const to = offsets[i + 1];
    if (to < from || maxOffsets[i + 1] !== to || dataOffsets[i + 1] !== to || labelStarts[i + 1] < labelStarts[i]) throw new CodecError(`bad offsets in series ${i}`);
    const chunks: ChunkedSeries['chunks'] = new Array(to - from);
    for (let k = from; k < to; k++) {
      const a = chunkStarts[k];
      const b = chunkStarts[k + 1];
      if (b < a) throw new CodecError(`bad chunk offsets in series ${i}`);
      chunks[k - from] = { minTime: mins[k], maxTime: maxs[k], bytes: chunkBytes.subarray(a, b) };
    }
    const key = batch.keyOf(i);
    let ls = labels.get(key);
    if (!ls) labels.set(key, (ls = batch.labelsOf(i)));
    out[i] = { labels: ls, chunks };
  }
  return out;
}
