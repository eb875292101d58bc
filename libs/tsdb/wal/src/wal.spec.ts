import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeRecord, encodeSamplesRecord, encodeSeriesRecord, type WalRecord } from './records';
import { WAL } from './wal';

const quiet = { info: () => undefined, warn: () => undefined };
const newDir = () => mkdtempSync(path.join(tmpdir(), 'wal-'));

async function openWal(dir: string, segmentSize = 1 << 20) {
  const seen: WalRecord[] = [];
  const { wal, stats } = await WAL.open({ dir, segmentSize, syncOnWrite: true, logger: quiet }, (p) => seen.push(decodeRecord(p)));
  return { wal, stats, seen };
}

function samples(tenant: string, n: number, base: number): Buffer[] {
  const refs = Uint32Array.from({ length: n }, (_, i) => i + 1);
  const ts = Float64Array.from({ length: n }, (_, i) => base + i);
  const vs = Float64Array.from({ length: n }, (_, i) => i / 2);
  return encodeSamplesRecord(tenant, refs, ts, vs, n);
}

describe('WAL records', () => {
  it('round-trips series records with unicode labels', () => {
    const series = [{ ref: 7, labels: [{ name: '__name__', value: 'température' }, { name: 'job', value: '日本' }] }];
    expect(decodeRecord(encodeSeriesRecord('tenant-1', series))).toEqual({ type: 'series', tenant: 'tenant-1', series });
  });

  it('round-trips samples records, including only the first `count` entries', () => {
    const rec = decodeRecord(Buffer.concat(encodeSamplesRecord('t', Uint32Array.of(1, 2, 3), Float64Array.of(10, 20, 30), Float64Array.of(NaN, -0, 1e300), 2)));
    expect(rec).toEqual({ type: 'samples', tenant: 't', refs: Uint32Array.of(1, 2), timestamps: Float64Array.of(10, 20), values: Float64Array.of(NaN, -0) });
  });

  it.each([
    [Buffer.from([9, 1, 0, 0x74, 0, 0, 0, 0]), 'unknown record type 9'],
    [Buffer.from([2, 1, 0, 0x74, 5, 0, 0, 0, 1]), 'record truncated at byte 8 (needs 100 more)'],
    [Buffer.from([1]), 'record truncated at byte 1 (needs 2 more)'],
  ])('refuses a malformed payload: %s', (payload, message) => {
    expect(() => decodeRecord(payload)).toThrow(message);
  });
});

describe('WAL', () => {
  it('replays every record in order after a restart, across segments', async () => {
    const dir = newDir();
    const first = await openWal(dir, 4096);
    for (let i = 0; i < 50; i++) await first.wal.append([samples('t', 20, i * 100)]);
    await first.wal.close();
    expect(readdirSync(dir).length).toBeGreaterThan(3);
    const second = await openWal(dir, 4096);
    expect(second.stats.records).toBe(50);
    expect(second.stats.corruption).toBeUndefined();
    expect(second.seen.map((r) => (r.type === 'samples' ? r.timestamps[0] : -1))).toEqual(Array.from({ length: 50 }, (_, i) => i * 100));
    await second.wal.close();
  });

  it('group-commits concurrent appends: every one lands and resolves', async () => {
    const dir = newDir();
    const { wal } = await openWal(dir);
    await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append([[encodeSeriesRecord(`t${i}`, [])]])));
    await wal.close();
    const reopened = await openWal(dir);
    await reopened.wal.close();
    expect(new Set(reopened.seen.map((r) => r.tenant)).size).toBe(200);
  });

  it('drops a torn tail, keeps every record before it, and appends after it', async () => {
    const dir = newDir();
    const first = await openWal(dir);
    for (let i = 0; i < 5; i++) await first.wal.append([samples('t', 10, i)]);
    await first.wal.close();
    const file = path.join(dir, '00000000');
    const full = statSync(file).size;
    truncateSync(file, full - 37); // cut the last record in half, as a crash mid-write would

    const second = await openWal(dir);
    expect(second.stats.records).toBe(4);
    expect(second.stats.corruption).toMatchObject({ segment: '00000000', reason: expect.stringMatching(/^torn record/), droppedSegments: 0 });
    expect(statSync(file).size).toBe((full / 5) * 4);
    await second.wal.append([samples('t', 10, 99)]);
    await second.wal.close();

    const third = await openWal(dir);
    expect(third.stats.records).toBe(5);
    expect(third.stats.corruption).toBeUndefined();
    expect(third.seen.at(-1)).toMatchObject({ timestamps: expect.any(Float64Array) });
    await third.wal.close();
  });

  it('stops at a checksum mismatch and drops the later segments', async () => {
    const dir = newDir();
    const first = await openWal(dir, 1024);
    for (let i = 0; i < 20; i++) await first.wal.append([samples('t', 10, i)]);
    await first.wal.close();
    const segments = readdirSync(dir).sort();
    expect(segments.length).toBeGreaterThan(2);
    const file = path.join(dir, segments[1]);
    const data = readFileSync(file);
    data[8 + 20] ^= 0xff; // a flipped bit inside the segment's first payload
    writeFileSync(file, data);

    const second = await openWal(dir, 1024);
    expect(second.stats.corruption).toEqual({
      segment: segments[1],
      offset: 0,
      reason: 'record checksum mismatch',
      droppedBytes: data.length,
      droppedSegments: segments.length - 2,
    });
    expect(readdirSync(dir).sort()).toEqual(segments.slice(0, 2));
    expect(second.stats.records).toBe(second.seen.length);
    await second.wal.close();
  });

  it('treats a garbage tail (a zeroed or random block) as corruption, never as data', async () => {
    const dir = newDir();
    const first = await openWal(dir);
    await first.wal.append([samples('t', 3, 0)]);
    await first.wal.close();
    const file = path.join(dir, '00000000');
    writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5])]));
    const second = await openWal(dir);
    expect(second.stats.records).toBe(1);
    expect(second.stats.corruption?.reason).toBe('record length 2147483647 is not plausible');
    await second.wal.close();
  });
});

describe('WAL checkpoints', () => {
  it('replaces the segments it covers; replay reads the checkpoint, then later segments', async () => {
    const dir = newDir();
    const first = await openWal(dir, 2048);
    for (let i = 0; i < 20; i++) await first.wal.append([samples('old', 10, i)]);
    const upTo = await first.wal.startSegment();
    await first.wal.append([samples('new', 3, 1000)]);
    await first.wal.checkpoint(upTo, [[encodeSeriesRecord('kept', [{ ref: 1, labels: [{ name: '__name__', value: 'x' }] }])]]);
    await first.wal.append([samples('new', 3, 2000)]);
    await first.wal.close();

    const names = readdirSync(dir).sort();
    expect(names).toEqual([String(upTo + 1).padStart(8, '0'), `checkpoint.${String(upTo).padStart(8, '0')}`]);
    const second = await openWal(dir, 2048);
    expect(second.stats.checkpoint).toBe(upTo);
    expect(second.seen.map((r) => r.tenant)).toEqual(['kept', 'new', 'new']);
    await second.wal.close();
  });

  it('finishes an interrupted checkpoint on open: covered segments and older checkpoints go', async () => {
    const dir = newDir();
    const first = await openWal(dir, 1024);
    for (let i = 0; i < 10; i++) await first.wal.append([samples('a', 10, i)]);
    const upTo = await first.wal.startSegment();
    await first.wal.append([samples('b', 1, 1)]);
    await first.wal.close();
    // A checkpoint renamed into place, but the covered segments not yet deleted (crash).
    const cp = path.join(dir, `checkpoint.${String(upTo).padStart(8, '0')}`);
    require('node:fs').mkdirSync(cp);
    writeFileSync(path.join(cp, '00000000'), Buffer.alloc(0));
    const second = await openWal(dir, 1024);
    expect(second.seen.map((r) => r.tenant)).toEqual(['b']);
    expect(readdirSync(dir).filter((n) => /^\d{8}$/.test(n)).every((n) => Number(n) > upTo)).toBe(true);
    await second.wal.close();
  });
});
