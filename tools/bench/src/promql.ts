// `npm run bench:promql`: PromQL range queries of a dashboard over 10k series x 6h at 15s held in
// an ingester head (XOR chunks in memory), and the same queries against a Prometheus holding the
// same samples (pushed through its remote-write receiver) when `prometheus` is installed.
// Not a test: it prints numbers; record them in docs/benchmarks.md with the machine.
//
//   node dist/tools/bench-promql/main.js [--hours=6] [--runs=7] [--only=NAME] [--prometheus=false]
//
// Myelin's time is the engine's evaluation plus encoding the result as the HTTP API's JSON;
// Prometheus's is a query_range request over loopback (its HTTP handling is included, so the
// ratio slightly favours Myelin: see docs/benchmarks.md).
import { cpus } from 'node:os';
import { encodeLabels, labelKeyOf } from '@myelin/model';
import { Engine } from '@myelin/promql';
import { encodeData, successBody } from '@myelin/query-api';
import type { Queryable } from '@myelin/storage';
import { Head } from '@myelin/tsdb-head';
import { compareWithPrometheus, dataWindow, type GenSeries, type Matrix, parseDashboardArgs, row, SCRAPE_MS, type Timing, timeRuns, valueAt } from './dashboard';

/** Appends every scrape to a head, one batch of all series per scrape, as an ingester would. */
function loadHead(series: GenSeries[], start: number, scrapes: number): Queryable {
  const head = new Head();
  const tenant = head.tenant('bench');
  const keys = series.map((s) => labelKeyOf(encodeLabels(s.labels)));
  const offsets = Int32Array.from({ length: series.length + 1 }, (_, i) => i);
  const timestamps = new Float64Array(series.length);
  const values = new Float64Array(series.length);
  for (let step = 0; step < scrapes; step++) {
    timestamps.fill(start + step * SCRAPE_MS);
    for (let i = 0; i < series.length; i++) values[i] = valueAt(series[i], i, step);
    const out = tenant.append({ seriesCount: series.length, keyOf: (i) => keys[i], labelsOf: (i) => series[i].labels, offsets, timestamps, values }, { maxSeries: 0 });
    if (out.firstError) throw new Error(`head refused samples: ${out.firstError}`);
  }
  return head.queryable('bench');
}

async function main(): Promise<void> {
  const a = parseDashboardArgs({});
  console.log(`bench:promql ${JSON.stringify(a)} on ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
  const { series, scrapes, start, queryEnd, queries } = dataWindow(a);

  const t0 = performance.now();
  const head = loadHead(series, start, scrapes);
  console.log(`myelin head: ${series.length} series x ${scrapes} samples loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const engine = new Engine(head);
  const mine = new Map<string, Timing & { result: Matrix }>();
  for (const q of queries) {
    const range = { start: queryEnd - q.rangeMs, end: queryEnd, step: q.stepMs };
    mine.set(
      q.name,
      await timeRuns(a.runs, async () => {
        const result = await engine.query(q.expr, range);
        const steps = Math.floor((range.end - range.start) / range.step) + 1;
        const body = successBody(encodeData(result, Float64Array.from({ length: steps }, (_, i) => range.start + i * range.step), true));
        return { samples: result.samplesLoaded, series: result.value.type === 'vector' ? result.value.series.length : 0, result: (JSON.parse(body) as { data: { result: Matrix } }).data.result };
      }),
    );
    console.log(row(`myelin ${q.name}`, mine.get(q.name) as Timing, 'samples loaded'));
  }

  if (a.prometheus) await compareWithPrometheus(series, start, scrapes, queries, queryEnd, a.runs, mine);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
