// `npm run bench:rpc-codec`: the ingester's query answer on the wire, Myelin's binary series batch
// against Apache Arrow IPC (List<Int64>/List<Float64> per series): encode and decode time and
// size for a dashboard-sized answer. Not a test; results go to docs/benchmarks.md.
import { cpus } from 'node:os';
import { decodeSeriesArrow, decodeSeriesBatch, encodeSeriesArrow, encodeSeriesBatch } from '@myelin/ingester-client';
import type { Labels } from '@myelin/model';

function answer(seriesCount: number, perSeries: number) {
  const labels: Labels[] = Array.from({ length: seriesCount }, (_, i) => [
    { name: '__name__', value: 'http_requests_total' },
    { name: 'instance', value: `host-${i % 100}:9100` },
    { name: 'job', value: `job-${i % 10}` },
    { name: 'status', value: String(200 + (i % 5)) },
  ]);
  const offsets = Int32Array.from({ length: seriesCount + 1 }, (_, i) => i * perSeries);
  const timestamps = new Float64Array(seriesCount * perSeries);
  const values = new Float64Array(seriesCount * perSeries);
  for (let s = 0; s < seriesCount; s++) for (let k = 0; k < perSeries; k++) {
    timestamps[s * perSeries + k] = 1_700_000_000_000 + k * 15_000;
    values[s * perSeries + k] = s * 10 + k * 0.5;
  }
  return { labels, offsets, timestamps, values };
}

function time(runs: number, f: () => void): number {
  f();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - t0) / runs;
}

function main(): void {
  console.log(`bench:rpc-codec on ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
  for (const [seriesCount, perSeries] of [[10_000, 120], [1_000, 1_440], [100_000, 4]] as const) {
    const a = answer(seriesCount, perSeries);
    const binary = Buffer.concat(encodeSeriesBatch('t', a.labels, a.offsets, a.timestamps, a.values));
    const batch = decodeSeriesBatch(binary);
    const arrow = encodeSeriesArrow(a.labels, a.offsets, a.timestamps, a.values);
    const back = decodeSeriesArrow(arrow);
    if (back.timestamps[back.timestamps.length - 1] !== a.timestamps[a.timestamps.length - 1] || back.keyOf(seriesCount - 1) !== batch.keyOf(seriesCount - 1)) throw new Error('arrow round trip differs');
    const runs = 20;
    const binEnc = time(runs, () => encodeSeriesBatch('t', a.labels, a.offsets, a.timestamps, a.values));
    const binDec = time(runs, () => decodeSeriesBatch(binary));
    const arrEnc = time(runs, () => encodeSeriesArrow(a.labels, a.offsets, a.timestamps, a.values));
    const arrDec = time(runs, () => decodeSeriesArrow(arrow));
    const samples = seriesCount * perSeries;
    const row = (name: string, enc: number, dec: number, bytes: number) =>
      `  ${name.padEnd(7)} encode ${enc.toFixed(2).padStart(7)} ms  decode ${dec.toFixed(2).padStart(7)} ms  ${(samples / ((enc + dec) / 1000) / 1e6).toFixed(0).padStart(4)} M samples/s  ${(bytes / 1e6).toFixed(2)} MB`;
    console.log(`${seriesCount} series x ${perSeries} samples`);
    console.log(row('binary', binEnc, binDec, binary.length));
    console.log(row('arrow', arrEnc, arrDec, arrow.length));
  }
}

main();
