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
import { encodeLabels, labelKeyOf, type Labels } from '@myelin/model';
import { Engine, type QueryValue } from '@myelin/promql';
import { encodeWriteRequestV1, snappyEncode } from '@myelin/remote-write';
import { postRaw, PrometheusServer, prometheusInstalled } from '@myelin/test-services';
import type { Queryable } from '@myelin/storage';
import { Head } from '@myelin/tsdb-head';

const SCRAPE_MS = 15_000;
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
const CPU_MODES = ['user', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'nice', 'guest'];

interface Args {
  hours: number;
  runs: number;
  only: string;
  prometheus: boolean;
}

function parseArgs(): Args {
  const a: Args = { hours: 6, runs: 7, only: '', prometheus: true };
  for (const arg of process.argv.slice(2)) {
    const [k, v] = arg.replace(/^--/, '').split('=');
    if (k === 'hours') a.hours = Number(v);
    else if (k === 'runs') a.runs = Number(v);
    else if (k === 'only') a.only = v;
    else if (k === 'prometheus') a.prometheus = v !== 'false';
    else throw new Error(`unknown argument ${arg}`);
  }
  return a;
}

/** One generated series: its labels and how its value moves (counter, gauge or bucket). */
interface GenSeries {
  labels: Labels;
  kind: 'counter' | 'gauge' | 'const';
  /** Counter: increase per scrape; gauge: amplitude; bucket: its share of the requests. */
  rate: number;
}

const sorted = (o: Record<string, string>): Labels =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));

/**
 * 10,000 series of 100 instances in 10 jobs: http_requests_total (20 per instance), a request
 * duration histogram (5 handlers x 12 buckets), node_load1, build_info and node_cpu_seconds_total
 * (2 CPUs x 9 modes).
 */
function generateSeries(): GenSeries[] {
  const out: GenSeries[] = [];
  for (let inst = 0; inst < 100; inst++) {
    const job = `job-${inst % 10}`;
    const instance = `host-${inst}:9100`;
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      for (const status of ['200', '201', '400', '404', '500']) {
        out.push({ labels: sorted({ __name__: 'http_requests_total', job, instance, method, status }), kind: 'counter', rate: 1 + ((inst * 7 + method.length * 3 + Number(status)) % 50) });
      }
    }
    for (let h = 0; h < 5; h++) {
      BUCKETS.forEach((le, b) => {
        out.push({ labels: sorted({ __name__: 'http_request_duration_seconds_bucket', job, instance, handler: `/api/v${h}`, le }), kind: 'counter', rate: 10 * (b + 1) + h });
      });
    }
    out.push({ labels: sorted({ __name__: 'node_load1', job, instance }), kind: 'gauge', rate: 2 + (inst % 5) });
    out.push({ labels: sorted({ __name__: 'build_info', job, instance, version: `1.${inst % 4}.0` }), kind: 'const', rate: 1 });
    for (let cpu = 0; cpu < 2; cpu++) {
      for (const mode of CPU_MODES) out.push({ labels: sorted({ __name__: 'node_cpu_seconds_total', job, instance, cpu: String(cpu), mode }), kind: 'counter', rate: mode === 'idle' ? 12 : 1 + (cpu + mode.length) % 3 });
    }
  }
  return out;
}

function valueAt(s: GenSeries, i: number, step: number): number {
  if (s.kind === 'counter') return s.rate * step + ((step * 31 + i) % 7);
  if (s.kind === 'gauge') return s.rate * (1 + Math.sin((step + i) / 40));
  return 1;
}

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

interface BenchQuery {
  name: string;
  expr: string;
  /** How far back from the end the range starts, and its step. */
  rangeMs: number;
  stepMs: number;
}

const HOUR = 3_600_000;
const QUERIES: BenchQuery[] = [
  { name: 'rate-sum-by', expr: 'sum by (job) (rate(http_requests_total[5m]))', rangeMs: 6 * HOUR, stepMs: 60_000 },
  { name: 'histogram-quantile', expr: 'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))', rangeMs: 6 * HOUR, stepMs: 60_000 },
  { name: 'topk', expr: 'topk(5, sum by (instance) (rate(http_requests_total[5m])))', rangeMs: HOUR, stepMs: 15_000 },
  { name: 'avg-over-time', expr: 'avg_over_time(node_load1[10m])', rangeMs: 6 * HOUR, stepMs: 60_000 },
  { name: 'subquery', expr: 'max_over_time(sum by (job) (rate(http_requests_total[1m]))[30m:1m])', rangeMs: HOUR, stepMs: 15_000 },
  { name: 'group-left', expr: 'sum by (instance) (rate(http_requests_total[5m])) * on (instance) group_left (version) build_info', rangeMs: HOUR, stepMs: 15_000 },
  { name: 'cpu-by-mode', expr: 'sum by (mode) (rate(node_cpu_seconds_total[5m]))', rangeMs: 6 * HOUR, stepMs: 30_000 },
];

/** The result as Prometheus's HTTP API writes it (matrix: [seconds, "value"] pairs). */
function toApiJson(value: QueryValue, start: number, step: number): string {
  if (value.type !== 'vector') return JSON.stringify({ status: 'success', data: { resultType: value.type, result: [] } });
  const result = value.series.map((s) => {
    const values: Array<[number, string]> = [];
    for (let i = 0; i < s.values.length; i++) if (s.present[i]) values.push([(start + i * step) / 1000, String(s.values[i])]);
    return { metric: Object.fromEntries(s.labels.map((l) => [l.name, l.value])), values };
  });
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } });
}

interface Timing {
  p50: number;
  p99: number;
  samples: number;
  series: number;
}

function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(p * sortedMs.length) - 1)];
}

async function timeRuns(runs: number, once: () => Promise<{ samples: number; series: number }>): Promise<Timing> {
  let last = await once(); // warm-up, not timed
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    last = await once();
    ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), ...last };
}

/** Pushes the same samples to Prometheus: scrapes in time order, 8 scrapes x 2,000 series per request. */
async function loadPrometheus(base: string, series: GenSeries[], start: number, scrapes: number): Promise<void> {
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
  const perRequest = 2_000;
  const scrapesPerRequest = 8;
  for (let first = 0; first < scrapes; first += scrapesPerRequest) {
    const last = Math.min(scrapes, first + scrapesPerRequest);
    const bodies: Uint8Array[] = [];
    for (let from = 0; from < series.length; from += perRequest) {
      const batch = [];
      for (let i = from; i < Math.min(series.length, from + perRequest); i++) {
        const timestamps: number[] = [];
        const values: number[] = [];
        for (let step = first; step < last; step++) {
          timestamps.push(start + step * SCRAPE_MS);
          values.push(valueAt(series[i], i, step));
        }
        batch.push({ labels: series[i].labels, timestamps, values });
      }
      bodies.push(snappyEncode(encodeWriteRequestV1(batch)));
    }
    // Series groups of one time slice in parallel; slices in order, so no sample is out of order.
    const statuses = await Promise.all(bodies.map((b) => postRaw(`${base}/api/v1/write`, b, headers)));
    const bad = statuses.find((r) => r.status !== 204 && r.status !== 200);
    if (bad) throw new Error(`prometheus refused a push: ${bad.status} ${bad.body}`);
  }
}

async function prometheusQuery(base: string, q: BenchQuery, end: number): Promise<{ samples: number; series: number }> {
  const params = new URLSearchParams({ query: q.expr, start: String((end - q.rangeMs) / 1000), end: String(end / 1000), step: String(q.stepMs / 1000), stats: 'all' });
  const res = await fetch(`${base}/api/v1/query_range?${params}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: unknown[]; stats?: { samples?: { totalQueryableSamples?: number } } } };
  if (body.status !== 'success') throw new Error(`prometheus: ${q.name}: ${body.error}`);
  return { samples: body.data.stats?.samples?.totalQueryableSamples ?? 0, series: body.data.result.length };
}

/** Samples per second: Myelin counts each sample its selectors load once; Prometheus's stats count a sample once per step window it falls in, so the two columns differ in kind. */
function row(name: string, t: Timing, samplesLabel: string): string {
  const perSec = t.samples / (t.p50 / 1000);
  return `${name.padEnd(30)} p50 ${t.p50.toFixed(1).padStart(8)} ms  p99 ${t.p99.toFixed(1).padStart(8)} ms  ${t.series.toString().padStart(4)} series  ${(perSec / 1e6).toFixed(1).padStart(6)} M ${samplesLabel}/s`;
}

async function main(): Promise<void> {
  const a = parseArgs();
  console.log(`bench:promql ${JSON.stringify(a)} on ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
  const series = generateSeries();
  const scrapes = Math.floor((a.hours * HOUR) / SCRAPE_MS) + 1;
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const start = end - (scrapes - 1) * SCRAPE_MS;
  const queries = QUERIES.filter((q) => !a.only || q.name === a.only);

  let t0 = performance.now();
  const head = loadHead(series, start, scrapes);
  console.log(`myelin head: ${series.length} series x ${scrapes} samples loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const engine = new Engine(head);
  const mine = new Map<string, Timing>();
  for (const q of queries) {
    const range = { start: end - q.rangeMs, end, step: q.stepMs };
    mine.set(
      q.name,
      await timeRuns(a.runs, async () => {
        const result = await engine.query(q.expr, range);
        toApiJson(result.value, range.start, range.step);
        return { samples: result.samplesLoaded, series: result.value.type === 'vector' ? result.value.series.length : 0 };
      }),
    );
    console.log(row(`myelin ${q.name}`, mine.get(q.name) as Timing, 'samples loaded'));
  }

  const prom = a.prometheus && prometheusInstalled() ? await PrometheusServer.start({ args: ['--web.enable-remote-write-receiver', '--query.max-samples=200000000'] }) : undefined;
  if (!prom) {
    console.log('prometheus not installed: no reference run (apt-get install -y prometheus)');
    return;
  }
  try {
    t0 = performance.now();
    await loadPrometheus(prom.url, series, start, scrapes);
    console.log(`prometheus: same samples pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ratios: string[] = [];
    for (const q of queries) {
      const theirs = await timeRuns(a.runs, () => prometheusQuery(prom.url, q, end));
      console.log(row(`prometheus ${q.name}`, theirs, 'queryable samples (per step)'));
      const ours = mine.get(q.name) as Timing;
      if (ours.series !== theirs.series) console.log(`  series differ: myelin ${ours.series}, prometheus ${theirs.series}`);
      ratios.push(`${q.name} ${(ours.p50 / theirs.p50).toFixed(2)}`);
    }
    console.log(`p50 time ratio myelin/prometheus (below 1 is faster): ${ratios.join(', ')}`);
  } finally {
    await prom.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
