import { decodeLabels, encodeLabels, labelKeyOf, type Labels, Matcher, type MatchType, skipLabels } from '@myelin/model';

/**
 * Payload codecs of the ingester RPCs (docs/format/ingester-rpc.md). A series batch (a push, or a
 * query's answer) is columnar: the label sets, then per-series sample offsets, then all
 * timestamps and all values as little-endian float64 arrays, 8-byte aligned within the payload.
 */
/** What an ingester needs of a push: series keys and labels, samples in columns. */
export interface PushBatch {
  readonly tenant: string;
  readonly seriesCount: number;
  /** The head's key of series i: the latin1 string of its canonical label bytes. */
  keyOf(i: number): string;
  labelsOf(i: number): Labels;
  /** Series i owns samples [offsets[i], offsets[i+1]). */
  readonly offsets: Int32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export interface SeriesBatch extends PushBatch {
  /** Every series' labels, decoded on first use (a push only decodes the series it has not seen). */
  readonly labels: Labels[];
  /** Series i's label set in canonical bytes (model's encodeLabels) is labelBytes[labelStarts[i], labelStarts[i+1]). */
  readonly labelBytes: Buffer;
  readonly labelStarts: Int32Array;
}

export class CodecError extends Error {
  override readonly name = 'CodecError';
}

const MAGIC_BATCH = 0x4d59_5342; // "MYSB"
const encodedLabels = new WeakMap<Labels, string>();

/**
 * The wire bytes of one label set as a latin1 string (one byte per char: compact, and written
 * into the outgoing buffer with a single copy); cached per label-set object, which the
 * distributor reuses for known series.
 */
function labelBytes(labels: Labels): string {
  let b = encodedLabels.get(labels);
  if (b === undefined) encodedLabels.set(labels, (b = labelKeyOf(encodeLabels(labels))));
  return b;
}

/** The canonical label bytes of every label set, back to back, with where each starts (n + 1 offsets). */
export function labelSection(labels: readonly Labels[]): { bytes: Buffer; starts: Int32Array } {
  const strings = labels.map(labelBytes);
  const starts = new Int32Array(labels.length + 1);
  for (let i = 0; i < strings.length; i++) starts[i + 1] = starts[i] + strings[i].length;
  const bytes = Buffer.allocUnsafe(starts[labels.length]);
  for (let i = 0; i < strings.length; i++) bytes.write(strings[i], starts[i], 'latin1');
  return { bytes, starts };
}

/**
 * Encodes the series `pick` (indexes into labels/offsets; all when omitted) of a columnar batch.
 * Returns buffers to write in order, without concatenating them.
 */
export function encodeSeriesBatch(
  tenant: string,
  labels: readonly Labels[],
  offsets: Int32Array,
  timestamps: Float64Array,
  values: Float64Array,
  pick?: Int32Array,
): Buffer[] {
  return encodeKeyedBatch(tenant, labels.length, (s) => labelBytes(labels[s]), offsets, timestamps, values, pick);
}

/** As encodeSeriesBatch, with each series given by its canonical label bytes as a latin1 string. */
export function encodeSeriesBatchFromKeys(tenant: string, keys: readonly string[], offsets: Int32Array, timestamps: Float64Array, values: Float64Array, pick?: Int32Array): Buffer[] {
  return encodeKeyedBatch(tenant, keys.length, (s) => keys[s], offsets, timestamps, values, pick);
}

function encodeKeyedBatch(
  tenant: string,
  count: number,
  keyAt: (s: number) => string,
  offsets: Int32Array,
  timestamps: Float64Array,
  values: Float64Array,
  pick?: Int32Array,
): Buffer[] {
  const n = pick ? pick.length : count;
  const seriesAt = (i: number) => (pick ? pick[i] : i);
  const labelStrings: string[] = new Array(n);
  let labelsLen = 0;
  let sampleCount = 0;
  for (let i = 0; i < n; i++) {
    const s = seriesAt(i);
    const b = keyAt(s);
    labelStrings[i] = b;
    labelsLen += b.length;
    sampleCount += offsets[s + 1] - offsets[s];
  }
  const labelSection = Buffer.allocUnsafe(labelsLen);
  for (let i = 0, at = 0; i < n; i++) at += labelSection.write(labelStrings[i], at, 'latin1');
  const tenantBytes = Buffer.from(tenant, 'utf8');
  const headerLen = 4 + 2 + tenantBytes.length + 4 + 4 + 4;
  const pad = (8 - ((headerLen + labelsLen) % 8)) % 8;
  const header = Buffer.alloc(headerLen + 0);
  let o = header.writeUInt32LE(MAGIC_BATCH, 0);
  o = header.writeUInt16LE(tenantBytes.length, o);
  tenantBytes.copy(header, o);
  o += tenantBytes.length;
  o = header.writeUInt32LE(n, o);
  o = header.writeUInt32LE(sampleCount, o);
  header.writeUInt32LE(labelsLen, o);

  const offsetsOut = new Int32Array(n + 1 + ((n + 1) % 2)); // keep the next section 8-byte aligned
  const t = new Float64Array(sampleCount);
  const v = new Float64Array(sampleCount);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const s = seriesAt(i);
    const from = offsets[s];
    const to = offsets[s + 1];
    t.set(timestamps.subarray(from, to), at);
    v.set(values.subarray(from, to), at);
    at += to - from;
    offsetsOut[i + 1] = at;
  }
  return [
    header,
    labelSection,
    Buffer.alloc(pad),
    Buffer.from(offsetsOut.buffer),
    Buffer.from(t.buffer),
    Buffer.from(v.buffer),
  ];
}

/**
 * The series `pick` of a columnar batch as a PushBatch, without encoding: what a distributor hands
 * an ingester in the same process. Samples are gathered into fresh arrays; keys are the same
 * strings the wire format would produce.
 */
export function localPushBatch(
  tenant: string,
  labels: readonly Labels[],
  offsets: Int32Array,
  timestamps: Float64Array,
  values: Float64Array,
  pick: Int32Array,
): PushBatch {
  const n = pick.length;
  const out = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) out[i + 1] = total += offsets[pick[i] + 1] - offsets[pick[i]];
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  for (let i = 0; i < n; i++) {
    const s = pick[i];
    t.set(timestamps.subarray(offsets[s], offsets[s + 1]), out[i]);
    v.set(values.subarray(offsets[s], offsets[s + 1]), out[i]);
  }
  return { tenant, seriesCount: n, keyOf: (i) => labelBytes(labels[pick[i]]), labelsOf: (i) => labels[pick[i]], offsets: out, timestamps: t, values: v };
}

/** As localPushBatch, with series given by their keys; labels are decoded only when asked for. */
export function localPushBatchFromKeys(tenant: string, keys: readonly string[], offsets: Int32Array, timestamps: Float64Array, values: Float64Array, pick: Int32Array): PushBatch {
  const batch = localPushBatch(tenant, [], offsets, timestamps, values, pick);
  return {
    ...batch,
    keyOf: (i) => keys[pick[i]],
    labelsOf: (i) => decodeLabels(Buffer.from(keys[pick[i]], 'latin1'), 0).labels,
  };
}

/** Decodes a series batch; throws CodecError on anything inconsistent. */
export function decodeSeriesBatch(payload: Buffer): SeriesBatch {
  const need = (o: number, n: number) => {
    if (o + n > payload.length) throw new CodecError(`series batch truncated at byte ${o}`);
  };
  need(0, 6);
  if (payload.readUInt32LE(0) !== MAGIC_BATCH) throw new CodecError('not a series batch (bad magic)');
  let o = 4;
  const tenantLen = payload.readUInt16LE(o);
  o += 2;
  need(o, tenantLen + 12);
  const tenant = payload.toString('utf8', o, o + tenantLen);
  o += tenantLen;
  const n = payload.readUInt32LE(o);
  const sampleCount = payload.readUInt32LE(o + 4);
  const labelsLen = payload.readUInt32LE(o + 8);
  o += 12;
  const headerLen = o;
  need(o, labelsLen);
  const end = o + labelsLen;
  const labelStarts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    labelStarts[i] = o;
    try {
      o = skipLabels(payload, o, end);
    } catch {
      throw new CodecError(`label section truncated in series ${i}`);
    }
  }
  labelStarts[n] = o;
  if (o !== end) throw new CodecError('label section length mismatch');
  o += (8 - ((headerLen + labelsLen) % 8)) % 8;
  const offLen = n + 1 + ((n + 1) % 2);
  need(o, offLen * 4 + sampleCount * 16);
  // One copy into an aligned buffer: the payload's position in memory need not be 8-aligned.
  const numeric = new ArrayBuffer(offLen * 4 + sampleCount * 16);
  new Uint8Array(numeric).set(payload.subarray(o, o + numeric.byteLength));
  const offsets = new Int32Array(numeric, 0, n + 1);
  const timestamps = new Float64Array(numeric, offLen * 4, sampleCount);
  const values = new Float64Array(numeric, offLen * 4 + sampleCount * 8, sampleCount);
  for (let i = 0; i < n; i++) {
    if (offsets[i + 1] < offsets[i] || offsets[i + 1] > sampleCount) throw new CodecError(`bad sample offsets in series ${i}`);
  }
  if (offsets[0] !== 0 || offsets[n] !== sampleCount) throw new CodecError('sample offsets do not cover the samples');
  return new DecodedBatch(tenant, n, payload, labelStarts, offsets, timestamps, values);
}

/** A SeriesBatch over decoded columns (shared by the binary and the Arrow codecs). */
export class DecodedBatch implements SeriesBatch {
  private decoded: Labels[] | undefined;

  constructor(
    readonly tenant: string,
    readonly seriesCount: number,
    readonly labelBytes: Buffer,
    readonly labelStarts: Int32Array,
    readonly offsets: Int32Array,
    readonly timestamps: Float64Array,
    readonly values: Float64Array,
  ) {}

  keyOf(i: number): string {
    return labelKeyOf(this.labelBytes, this.labelStarts[i], this.labelStarts[i + 1]);
  }

  labelsOf(i: number): Labels {
    if (this.decoded) return this.decoded[i];
    try {
      return decodeLabels(this.labelBytes, this.labelStarts[i], this.labelStarts[i + 1]).labels;
    } catch (e) {
      throw new CodecError(`series ${i}: ${(e as Error).message}`);
    }
  }

  get labels(): Labels[] {
    return (this.decoded ??= Array.from({ length: this.seriesCount }, (_, i) => this.labelsOf(i)));
  }
}

// --- queries ---

const MATCH_TYPES: MatchType[] = ['=', '!=', '=~', '!~'];

export interface QueryRequest {
  tenant: string;
  mint: number;
  maxt: number;
  matchers: Matcher[];
  /** Label name for label-values requests; '' otherwise. */
  labelName: string;
  /** Most series to return (0: no limit). */
  limit: number;
}

export function encodeQueryRequest(q: QueryRequest): Buffer {
  const strs = (s: string) => {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(b.length, 0);
    return [len, b];
  };
  const head = Buffer.allocUnsafe(8 + 8 + 4 + 2);
  head.writeDoubleLE(q.mint, 0);
  head.writeDoubleLE(q.maxt, 8);
  head.writeUInt32LE(q.limit, 16);
  head.writeUInt16LE(q.matchers.length, 20);
  const parts: Buffer[] = [...strs(q.tenant), ...strs(q.labelName), head];
  for (const m of q.matchers) parts.push(Buffer.from([MATCH_TYPES.indexOf(m.type)]), ...strs(m.name), ...strs(m.value));
  return Buffer.concat(parts);
}

export function decodeQueryRequest(b: Buffer): QueryRequest {
  let o = 0;
  const str = () => {
    if (o + 4 > b.length) throw new CodecError('query request truncated');
    const len = b.readUInt32LE(o);
    if (o + 4 + len > b.length) throw new CodecError('query request truncated');
    const s = b.toString('utf8', o + 4, o + 4 + len);
    o += 4 + len;
    return s;
  };
  const tenant = str();
  const labelName = str();
  if (o + 22 > b.length) throw new CodecError('query request truncated');
  const mint = b.readDoubleLE(o);
  const maxt = b.readDoubleLE(o + 8);
  const limit = b.readUInt32LE(o + 16);
  const count = b.readUInt16LE(o + 20);
  o += 22;
  const matchers: Matcher[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 1 > b.length) throw new CodecError('query request truncated');
    const type = MATCH_TYPES[b[o++]];
    if (!type) throw new CodecError('unknown matcher type');
    const name = str();
    const value = str();
    try {
      matchers.push(new Matcher(type, name, value));
    } catch (e) {
      throw new CodecError((e as Error).message);
    }
  }
  return { tenant, mint, maxt, matchers, labelName, limit };
}

export function encodeStrings(list: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeUInt32LE(list.length, 0);
  for (const s of list) {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32LE(b.length, 0);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}

export function decodeStrings(b: Buffer): string[] {
  if (b.length < 4) throw new CodecError('string list truncated');
  const n = b.readUInt32LE(0);
  let o = 4;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (o + 4 > b.length) throw new CodecError('string list truncated');
    const len = b.readUInt32LE(o);
    if (o + 4 + len > b.length) throw new CodecError('string list truncated');
    out.push(b.toString('utf8', o + 4, o + 4 + len));
    o += 4 + len;
  }
  return out;
}
