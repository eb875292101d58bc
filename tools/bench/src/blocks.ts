// `npm run bench:blocks`: bytes per sample (index + chunks) and block write time per million
// samples for realistic scrape data, XOR decoding speed (scrape times exact, and jittered by a
// few milliseconds as real scrapes are), and, when promtool is installed, the bytes per sample of
// a block promtool writes from the same samples. Not a test: record results in docs/benchmarks.md.
//
//   node dist/tools/bench-blocks/main.js [--series=10000] [--hours=2] [--interval=15]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { decodeChunkRange, XORChunk, SAMPLES_PER_CHUNK } from '@myelin/tsdb-chunkenc';
import { writeBlock, type SeriesToWrite } from '@myelin/tsdb-block';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : dflt;
}

/** A value per scrape as node_exporter-like series produce them: counters, gauges, constants. */
function valueOf(series: number, k: number): number {
  switch (series % 4) {
    case 0:
      return Math.floor(k * (10 + (series % 7)) + (k * series) % 13); // counter
    case 1:
      return Math.round(50 + 30 * Math.sin(k / 40 + series)); // smooth gauge, integer
    case 2:
      return 1; // up-like constant
    default:
      return Math.round((1e9 + series * 1e6 + k * 4096) / 1024) * 1024; // bytes gauge
  }
}

/** Decodes every series' chunks into one reused buffer, five rounds after a warm-up; prints the best. */
function decodeSpeed(what: string, series: readonly SeriesToWrite[]): void {
  let samples = 0;
  const target = { timestamps: new Float64Array(0), values: new Float64Array(0), reserve(n: number) {
    if (n > this.timestamps.length) {
      this.timestamps = new Float64Array(n);
      this.values = new Float64Array(n);
    }
  } };
  let best = Infinity;
  for (let round = 0; round < 6; round++) {
    const t = performance.now();
    samples = 0;
    for (const s of series) samples += decodeChunkRange(s.chunks, -Infinity, Infinity, target).timestamps.length;
    if (round > 0) best = Math.min(best, performance.now() - t);
  }
  console.log(`decode     ${(samples / best / 1000).toFixed(1)} M samples/s (${what})`);
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

async function main(): Promise<void> {
  const seriesCount = arg('series', 10_000);
  const hours = arg('hours', 2);
  const interval = arg('interval', 15) * 1000;
  const scrapes = Math.floor((hours * 3_600_000) / interval);
  const t0 = Math.floor(Date.now() / 7_200_000) * 7_200_000 - 7_200_000;
  console.log(`bench:blocks ${seriesCount} series x ${scrapes} scrapes every ${interval / 1000}s on ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);

  const labelsOf = (s: number) => [
    { name: '__name__', value: ['node_cpu_seconds_total', 'node_load1', 'up', 'node_memory_MemFree_bytes'][s % 4] },
    { name: 'instance', value: `host-${Math.floor(s / 40)}:9100` },
    { name: 'job', value: 'node' },
    { name: 'series', value: String(s % 40) },
  ];
  const started = performance.now();
  const series: SeriesToWrite[] = [];
  for (let s = 0; s < seriesCount; s++) {
    const chunks = [];
    for (let start = 0; start < scrapes; start += SAMPLES_PER_CHUNK) {
      const c = new XORChunk();
      for (let k = start; k < Math.min(scrapes, start + SAMPLES_PER_CHUNK); k++) c.append(t0 + k * interval, valueOf(s, k));
      chunks.push({ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes() });
    }
    series.push({ labels: labelsOf(s), chunks });
  }
  const encoded = performance.now();
  decodeSpeed('exact scrape times', series);
  // Real scrapes land a few ms off the interval: timestamps' delta-of-deltas are then not 0.
  const jittered = series.map((x, s) => ({ ...x, chunks: x.chunks.map((_, ci) => {
    const j = new XORChunk();
    const from = ci * SAMPLES_PER_CHUNK;
    for (let k = from; k < Math.min(scrapes, from + SAMPLES_PER_CHUNK); k++) j.append(t0 + k * interval + ((k * 7919 + s) % 11), valueOf(s, k));
    return { minTime: j.minTime, maxTime: j.maxTime, bytes: j.bytes() };
  }) }));
  decodeSpeed('scrape times jittered 0-10 ms', jittered);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-blocks-'));
  const meta = await writeBlock(dir, series, { externalLabels: {}, source: 'bench' });
  const written = performance.now();
  const samples = meta.stats.numSamples;
  const myelinBytes = dirBytes(path.join(dir, meta.ulid)) - statSync(path.join(dir, meta.ulid, 'meta.json')).size;
  console.log(`myelin     ${(myelinBytes / samples).toFixed(3)} B/sample (index + chunks), encode ${((encoded - started) / (samples / 1e6)).toFixed(0)} ms/M samples, write ${((written - encoded) / (samples / 1e6)).toFixed(0)} ms/M samples`);

  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    console.log('promtool not installed: no reference (apt-get install -y prometheus)');
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const lines: string[] = [];
  for (let s = 0; s < seriesCount; s++) {
    const l = labelsOf(s);
    const sel = `${l[0].value}{instance="${l[1].value}",job="${l[2].value}",series="${l[3].value}"}`;
    for (let k = 0; k < scrapes; k++) lines.push(`${sel} ${valueOf(s, k)} ${((t0 + k * interval) / 1000).toFixed(3)}`);
  }
  // OpenMetrics wants each metric family's samples together, which they are (series-major order).
  const types = ['node_cpu_seconds_total', 'node_load1', 'up', 'node_memory_MemFree_bytes'];
  const om = path.join(dir, 'in.om');
  const byFamily = types.map((f) => lines.filter((x) => x.startsWith(f + '{')));
  writeFileSync(om, types.map((f, i) => `# TYPE ${f} gauge\n${byFamily[i].join('\n')}`).join('\n') + '\n# EOF\n');
  const out = path.join(dir, 'prom');
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, out], { stdio: 'ignore' });
  let promBytes = 0;
  let promSamples = 0;
  for (const b of readdirSync(out)) {
    const bdir = path.join(out, b);
    promBytes += dirBytes(bdir) - statSync(path.join(bdir, 'meta.json')).size - (statSync(path.join(bdir, 'tombstones'), { throwIfNoEntry: false })?.size ?? 0);
    promSamples += JSON.parse(readFileSync(path.join(bdir, 'meta.json'), 'utf8')).stats.numSamples;
  }
  console.log(`prometheus ${(promBytes / promSamples).toFixed(3)} B/sample (index + chunks, ${readdirSync(out).length} block(s) from promtool)`);
  console.log(`ratio myelin/prometheus bytes per sample: ${(myelinBytes / samples / (promBytes / promSamples)).toFixed(3)}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
