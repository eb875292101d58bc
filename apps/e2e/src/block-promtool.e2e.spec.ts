import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { formatLabels, type Labels, Matcher } from '@myelin/model';
import { FilesystemBucket } from '@myelin/object-store';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { BlockReader, writeBlock } from '@myelin/tsdb-block';

// Bit-compatibility of blocks with Prometheus, checked by promtool 2.42 (installed by the test
// command): promtool analyzes and dumps a block Myelin wrote, and Myelin reads a block promtool
// wrote, with identical samples both ways.
const run = promisify(execFile);
const T0 = 1_700_000_000_000;

function gauge(i: number, k: number): number {
  return k % 7 === 0 ? 0 : Math.round(Math.sin(i + k) * 1e6) / 1000;
}

describe('blocks and promtool', () => {
  it('promtool analyzes and dumps a Myelin block with the samples Myelin wrote', async () => {
    const db = mkdtempSync(path.join(tmpdir(), 'myelin-db-'));
    mkdirSync(path.join(db, 'wal'));
    const expected = new Map<string, string[]>();
    const series = Array.from({ length: 50 }, (_, i) => {
      const labels: Labels = [
        { name: '__name__', value: i % 2 ? 'node_load1' : 'node_cpu_seconds_total' },
        { name: 'instance', value: `host-${i}:9100` },
        { name: 'job', value: 'node' },
      ];
      const chunks = [];
      const lines: string[] = [];
      for (let start = 0; start < 250; start += 120) {
        const c = new XORChunk();
        for (let k = start; k < Math.min(250, start + 120); k++) {
          const t = T0 + k * 15_000 + (k % 3); // a little jitter
          c.append(t, gauge(i, k));
          lines.push(`${gauge(i, k)} ${t}`);
        }
        chunks.push({ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes() });
      }
      expected.set(formatLabels(labels), lines);
      return { labels, chunks };
    });
    const meta = await writeBlock(db, series, { externalLabels: { __org_id__: 't' }, source: 'receive' });

    const analyze = await run('promtool', ['tsdb', 'analyze', db, meta.ulid]);
    expect(analyze.stdout).toContain(`Block ID: ${meta.ulid}`);
    expect(analyze.stdout).toContain('Series: 50');
    expect(analyze.stdout).toContain('Label names: 3');

    const dump = await run('promtool', ['tsdb', 'dump', db], { maxBuffer: 64 << 20 });
    const got = new Map<string, string[]>();
    for (const line of dump.stdout.trim().split('\n')) {
      const m = /^(\{.*\}) (\S+) (\d+)$/.exec(line);
      if (!m) throw new Error(`unexpected dump line ${line}`);
      // promtool prints {__name__="x", a="b"}; formatLabels prints x{a="b"}.
      const pairs = [...m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) => ({ name: p[1], value: p[2] }));
      const key = formatLabels(pairs);
      got.set(key, [...(got.get(key) ?? []), `${Number(m[2])} ${m[3]}`]);
    }
    expect(got).toEqual(expected);
  }, 60_000);

  it('Myelin reads a block promtool wrote, with identical samples', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'promtool-block-'));
    const lines = ['# TYPE reqs counter'];
    const expected: Array<[number, number]> = [];
    for (let k = 0; k < 200; k++) {
      const t = T0 + k * 10_000;
      const v = k * 2.5;
      lines.push(`reqs_total{code="200",path="/a"} ${v} ${(t / 1000).toFixed(3)}`);
      expected.push([t, v]);
    }
    lines.push('# EOF');
    writeFileSync(path.join(dir, 'in.om'), lines.join('\n') + '\n');
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'in.om'), path.join(dir, 'out')]);
    const ulids = readdirSync(path.join(dir, 'out'));
    expect(ulids.length).toBeGreaterThan(0);
    const samples: Array<[number, number]> = [];
    for (const ulid of ulids) {
      const reader = await BlockReader.open(new FilesystemBucket(path.join(dir, 'out', ulid)), ulid);
      await reader.verifySegments();
      for (const s of await reader.select([new Matcher('=', '__name__', 'reqs_total')], -Infinity, Infinity)) {
        expect(s.labels).toEqual([
          { name: '__name__', value: 'reqs_total' },
          { name: 'code', value: '200' },
          { name: 'path', value: '/a' },
        ]);
        s.timestamps.forEach((t, i) => samples.push([t, s.values[i]]));
      }
    }
    expect(samples.sort((a, b) => a[0] - b[0])).toEqual(expected);
  }, 60_000);
});
