import { crc32c } from '@myelin/tsdb-chunkenc';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';

export interface WalLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WalOptions {
  dir: string;
  /** A new segment starts once the current one reaches this size. */
  segmentSize: number;
  /** fdatasync before acknowledging (group commit); otherwise writes reach the OS before acknowledging. */
  syncOnWrite: boolean;
  logger: WalLogger;
}

export interface ReplayStats {
  /** The checkpoint replayed first, if any (the last segment it covers). */
  checkpoint?: number;
  segments: number;
  records: number;
  /** Set when a torn or corrupt tail was found and dropped. */
  corruption?: { segment: string; offset: number; reason: string; droppedBytes: number; droppedSegments: number };
}

/** Each record on disk: u32 LE payload length, u32 LE CRC-32C of the payload, payload. */
const HEADER = 8;
const MAX_RECORD = 1 << 30;

/**
 * The write-ahead log: numbered segment files of CRC-checked records (docs/format/wal.md).
 * Appends are group-committed: every record queued while a write is in flight goes out in the
 * next single writev (and fdatasync), and each caller's promise settles only once its records are
 * written (and synced), so an acknowledgement given after it survives kill -9.
 */
type QueueItem = { buffers: Buffer[]; rotate?: false; resolve: () => void; reject: (e: Error) => void } | { rotate: true; resolve: (segment: number) => void; reject: (e: Error) => void };

/** Header + payload buffers of one record. */
function frame(parts: Buffer[]): Buffer[] {
  let len = 0;
  let crc = 0;
  for (const p of parts) {
    len += p.length;
    crc = crc32c(p, crc);
  }
  if (len > MAX_RECORD) throw new Error(`WAL record of ${len} bytes is too large`);
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(len, 0);
  header.writeUInt32LE(crc, 4);
  return [header, ...parts];
}

export class WAL {
  private queue: QueueItem[] = [];
  private writing = false;
  private closed = false;

  private constructor(
    private readonly opts: WalOptions,
    private segmentIndex: number,
    private fd: FileHandle,
    private segmentBytes: number,
  ) {}

  /**
   * Replays every record in order through `onRecord`, drops a torn or corrupt tail (truncating
   * the segment where the damage starts and removing later segments), and opens for appending.
   */
  static async open(opts: WalOptions, onRecord: (payload: Uint8Array) => void): Promise<{ wal: WAL; stats: ReplayStats }> {
    if (endianness() !== 'LE') throw new Error('the WAL writes typed arrays as little-endian bytes: big-endian hosts are not supported');
    await mkdir(opts.dir, { recursive: true });
    const entries = await readdir(opts.dir);
    const checkpoints = entries.filter((n) => /^checkpoint\.\d{8}$/.test(n)).sort();
    const latest = checkpoints.at(-1);
    const covered = latest ? Number(latest.slice('checkpoint.'.length)) : -1;
    const stats: ReplayStats = { segments: 0, records: 0 };
    if (latest) {
      // A checkpoint replaces every segment up to the one it is named after.
      stats.checkpoint = covered;
      for (const f of (await readdir(path.join(opts.dir, latest))).sort()) {
        const data = await readFile(path.join(opts.dir, latest, f));
        const { records, error } = scanSegment(data, onRecord);
        stats.records += records;
        if (error) throw new Error(`WAL checkpoint ${latest}/${f} is damaged (${error}): the WAL cannot be replayed safely`);
      }
    }
    // Leftovers of an interrupted checkpoint: covered segments and older checkpoints.
    for (const n of entries) {
      if ((/^\d{8}$/.test(n) && Number(n) <= covered) || (/^checkpoint\.\d{8}$/.test(n) && n !== latest) || n.endsWith('.tmp')) {
        await rm(path.join(opts.dir, n), { recursive: true, force: true });
      }
    }
    const names = entries.filter((n) => /^\d{8}$/.test(n) && Number(n) > covered).sort();
    stats.segments = names.length;
    let lastIndex = names.length > 0 ? Number(names[names.length - 1]) : covered + 1;
    let lastSize = 0;
    for (let i = 0; i < names.length; i++) {
      const file = path.join(opts.dir, names[i]);
      const data = await readFile(file);
      const { records, validBytes, error } = scanSegment(data, onRecord);
      stats.records += records;
      lastIndex = Number(names[i]);
      lastSize = validBytes;
      if (error) {
        const later = names.slice(i + 1);
        stats.corruption = { segment: names[i], offset: validBytes, reason: error, droppedBytes: data.length - validBytes, droppedSegments: later.length };
        opts.logger.warn({ dir: opts.dir, ...stats.corruption }, 'WAL corruption found: dropping the damaged tail, keeping every record before it');
        const fh = await open(file, 'r+');
        await fh.truncate(validBytes);
        await fh.sync();
        await fh.close();
        for (const n of later) await rm(path.join(opts.dir, n));
        break;
      }
    }
    const fd = await open(path.join(opts.dir, segmentName(lastIndex)), 'a');
    return { wal: new WAL(opts, lastIndex, fd, lastSize), stats };
  }

  /** Appends records (each a list of buffers forming one payload); resolves once durable per the policy. */
  append(records: Buffer[][]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL closed'));
    const buffers: Buffer[] = [];
    try {
      for (const parts of records) buffers.push(...frame(parts));
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ buffers, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /**
   * Starts a new segment (after every record queued before this call) and resolves to the index of
   * the last segment before it: everything appended from now on is in later segments.
   */
  startSegment(): Promise<number> {
    if (this.closed) return Promise.reject(new Error('WAL closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ rotate: true, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  /**
   * Replaces segments up to `upTo` (from startSegment) by a checkpoint holding `records` (the
   * head's live series and samples): written to a temporary directory, synced, renamed to
   * `checkpoint.<upTo>`, then the covered segments and older checkpoints are deleted. Call it only
   * once whatever else those segments held is safely in blocks.
   */
  async checkpoint(upTo: number, records: Iterable<Buffer[]> | AsyncIterable<Buffer[]>): Promise<void> {
    const name = `checkpoint.${segmentName(upTo)}`;
    const tmp = path.join(this.opts.dir, `${name}.tmp`);
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp);
    const fh = await open(path.join(tmp, '00000000'), 'w');
    try {
      // Written as the records come, in writes of about 1 MiB: a big head never sits in memory twice.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const record of records) {
        for (const b of frame(record)) {
          pending.push(b);
          pendingBytes += b.length;
        }
        if (pendingBytes >= 1 << 20) {
          await writeAll(fh, pending);
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) await writeAll(fh, pending);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path.join(this.opts.dir, name));
    for (const n of await readdir(this.opts.dir)) {
      if ((/^\d{8}$/.test(n) && Number(n) <= upTo) || (/^checkpoint\.\d{8}$/.test(n) && n !== name)) {
        await rm(path.join(this.opts.dir, n), { recursive: true, force: true });
      }
    }
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next.rotate) {
        this.queue.shift();
        try {
          const last = this.segmentIndex;
          await this.rotate();
          next.resolve(last);
        } catch (e) {
          next.reject(e as Error);
        }
        continue;
      }
      const stop = this.queue.findIndex((q) => q.rotate);
      const batch = this.queue.splice(0, stop < 0 ? this.queue.length : stop) as Array<Extract<QueueItem, { buffers: Buffer[] }>>;
      const buffers = batch.flatMap((b) => b.buffers);
      const size = buffers.reduce((n, b) => n + b.length, 0);
      try {
        if (this.segmentBytes > 0 && this.segmentBytes + size > this.opts.segmentSize) await this.rotate();
        let written = 0;
        while (written < size) {
          const { bytesWritten } = await this.fd.writev(written === 0 ? buffers : remaining(buffers, written));
          written += bytesWritten;
        }
        this.segmentBytes += size;
        if (this.opts.syncOnWrite) await this.fd.datasync();
        for (const b of batch) b.resolve();
      } catch (e) {
        for (const b of batch) b.reject(e as Error);
      }
    }
    this.writing = false;
  }

  private async rotate(): Promise<void> {
    await this.fd.datasync();
    await this.fd.close();
    this.segmentIndex++;
    this.fd = await open(path.join(this.opts.dir, segmentName(this.segmentIndex)), 'a');
    this.segmentBytes = 0;
  }

  get currentSegment(): number {
    return this.segmentIndex;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.writing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 1));
    this.closed = true;
    await this.fd.datasync();
    await this.fd.close();
  }
}

async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  const size = buffers.reduce((n, b) => n + b.length, 0);
  let written = 0;
  while (written < size) written += (await fh.writev(written === 0 ? buffers : remaining(buffers, written))).bytesWritten;
}

function segmentName(index: number): string {
  return String(index).padStart(8, '0');
}

function remaining(buffers: Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = [];
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length;
    else {
      out.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return out;
}

/** Walks a segment's records; stops at the first damaged one and says why. */
export function scanSegment(data: Buffer, onRecord: (payload: Uint8Array) => void): { records: number; validBytes: number; error?: string } {
  let o = 0;
  let records = 0;
  while (o < data.length) {
    if (o + HEADER > data.length) return { records, validBytes: o, error: `torn record header (${data.length - o} bytes)` };
    const len = data.readUInt32LE(o);
    const crc = data.readUInt32LE(o + 4);
    if (len > MAX_RECORD) return { records, validBytes: o, error: `record length ${len} is not plausible` };
    if (o + HEADER + len > data.length) return { records, validBytes: o, error: `torn record: ${len} bytes announced, ${data.length - o - HEADER} present` };
    const payload = data.subarray(o + HEADER, o + HEADER + len);
    if (crc32c(payload) !== crc) return { records, validBytes: o, error: 'record checksum mismatch' };
    try {
      onRecord(payload);
    } catch (e) {
      return { records, validBytes: o, error: `undecodable record: ${(e as Error).message}` };
    }
    records++;
    o += HEADER + len;
  }
  return { records, validBytes: o };
}
