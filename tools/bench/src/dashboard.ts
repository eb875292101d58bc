// The data and queries shared by bench:promql and bench:query: a dashboard over 10,000 series
// of 100 instances, scraped every 15 s, and the same samples pushed by remote write.
import { readFileSync } from 'node:fs';
import { type Labels } from '@myelin/model';
import { encodeWriteRequestV1, snappyEncode } from '@myelin/remote-write';
import { postRaw, PrometheusServer, prometheusInstalled } from '@myelin/test-services';

export const SCRAPE_MS = 15_000;
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
const CPU_MODES = ['user', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'nice', 'guest'];

/** One generated series: its labels and how its value moves (counter, gauge or bucket). */
export interface GenSeries {
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
export function generateSeries(): GenSeries[] {
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

export function valueAt(s: GenSeries, i: number, step: number): number {
  if (s.kind === 'counter') return s.rate * step + ((step * 31 + i) % 7);
  if (s.kind === 'gauge') return s.rate * (1 + Math.sin((step + i) / 40));
  return 1;
}

export interface BenchQuery {
  name: string;
  expr: string;
  /** How far back from the end the range starts, and its step. */
  rangeMs: number;
  stepMs: number;
}

export const HOUR = 3_600_000;
export const QUERIES: BenchQuery[] = [
  { name: 'rate-sum-by', expr: 'sum by (job) (rate(http_requests_total[5m]))', rangeMs: 6 * HOUR, stepMs: 60_000 },
  { name: 'histogram-quantile', expr: 'histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))', rangeMs: 6 * HOUR, stepMs: 60_000 },
  { name: 'topk', expr: 'topk(5, sum by (instance) (rate(http_requests_total[5m])))', rangeMs: HOUR, stepMs: 15_000 },
  { name: 'avg-over-time', expr: 'avg_over_time(node_load1[10m])', rangeMs: 6 * HOUR, stepMs: 60_000 },
  { name: 'subquery', expr: 'max_over_time(sum by (job) (rate(http_requests_total[1m]))[30m:1m])', rangeMs: HOUR, stepMs: 15_000 },
  { name: 'group-left', expr: 'sum by (instance) (rate(http_requests_total[5m])) * on (instance) group_left (version) build_info', rangeMs: HOUR, stepMs: 15_000 },
  { name: 'cpu-by-mode', expr: 'sum by (mode) (rate(node_cpu_seconds_total[5m]))', rangeMs: 6 * HOUR, stepMs: 30_000 },
];

export interface Timing {
  p50: number;
  p99: number;
  samples: number;
  series: number;
}

export function percentile(sortedMs: number[], p: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil(p * sortedMs.length) - 1)];
}

/**
 * Pause after the last write before the clock starts, for both systems alike: a process that has
 * just taken a few million samples is still collecting garbage and flushing its WAL.
 */
export const SETTLE_MS = 5_000;
export const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

export async function timeRuns<T extends { samples: number; series: number }>(runs: number, once: () => Promise<T>): Promise<Timing & T> {
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

/** CPU seconds (user + system) a process has used so far, from /proc (0 where /proc is missing). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return 0;
  }
}

/**
 * Starts counting the CPU time of groups of processes (name -> pids; the bench itself is "client");
 * the returned function reports each group's CPU milliseconds per call over `calls` calls. Says
 * where a query's wall time went when several processes share the machine's two cores.
 */
export function cpuMeter(groups: Record<string, readonly number[]>): (calls: number) => string {
  const read = () => Object.entries(groups).map(([name, pids]) => [name, pids.reduce((t, pid) => t + cpuSeconds(pid), 0)] as const);
  const before = read();
  const client0 = process.cpuUsage();
  return (calls) => {
    const client = process.cpuUsage(client0);
    const parts = read().map(([name, t], i) => `${name} ${(((t - before[i][1]) * 1000) / calls).toFixed(0)} ms`);
    parts.push(`client ${((client.user + client.system) / 1000 / calls).toFixed(0)} ms`);
    return `  cpu per query: ${parts.join(', ')}`;
  };
}

/**
 * Pushes scrapes [first, last) by remote write to `url`: in time order, 8 scrapes x 2,000 series
 * per request, the series groups of one time slice in parallel (so no sample is out of order).
 */
export async function pushScrapes(url: string, series: GenSeries[], start: number, first: number, last: number, extraHeaders: Record<string, string> = {}): Promise<void> {
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...extraHeaders };
  const perRequest = 2_000;
  const scrapesPerRequest = 8;
  for (let from0 = first; from0 < last; from0 += scrapesPerRequest) {
    const to = Math.min(last, from0 + scrapesPerRequest);
    const bodies: Uint8Array[] = [];
    for (let from = 0; from < series.length; from += perRequest) {
      const batch = [];
      for (let i = from; i < Math.min(series.length, from + perRequest); i++) {
        const timestamps: number[] = [];
        const values: number[] = [];
        for (let step = from0; step < to; step++) {
          timestamps.push(start + step * SCRAPE_MS);
          values.push(valueAt(series[i], i, step));
        }
        batch.push({ labels: series[i].labels, timestamps, values });
      }
      bodies.push(snappyEncode(encodeWriteRequestV1(batch)));
    }
    const statuses = await Promise.all(bodies.map((b) => postRaw(url, b, headers, 60_000)));
    const bad = statuses.find((r) => r.status !== 204 && r.status !== 200);
    if (bad) throw new Error(`${url} refused a push: ${bad.status} ${bad.body}`);
  }
}

/** A range query through a Prometheus-compatible HTTP API; the answer's series count and Prometheus's sample statistic. */
export type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

export async function apiRangeQuery(base: string, q: BenchQuery, end: number, headers: Record<string, string> = {}): Promise<{ samples: number; series: number; result: Matrix }> {
  const params = new URLSearchParams({ query: q.expr, start: String((end - q.rangeMs) / 1000), end: String(end / 1000), step: String(q.stepMs / 1000), stats: 'all' });
  const res = await fetch(`${base}/query_range?${params}`, { headers });
  const body = (await res.json()) as { status: string; error?: string; data: { result: Matrix; stats?: { samples?: { totalQueryableSamples?: number } } } };
  if (body.status !== 'success') throw new Error(`${base}: ${q.name}: ${body.error}`);
  return { samples: body.data.stats?.samples?.totalQueryableSamples ?? 0, series: body.data.result.length, result: body.data.result };
}

/** The first difference between two range-query answers (series, times, values within 1e-9 relative), or undefined. */
export function firstDifference(ours: Matrix, theirs: Matrix): string | undefined {
  const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
  const mine = new Map(ours.map((s) => [key(s.metric), s.values]));
  for (const s of theirs) {
    const got = mine.get(key(s.metric));
    if (!got) return `series ${key(s.metric)} missing`;
    mine.delete(key(s.metric));
    const want = new Map(s.values.map(([t, v]) => [t, Number(v)]));
    for (const [t, v] of got) {
      const w = want.get(t);
      if (w === undefined) return `${key(s.metric)} has an extra point at ${t}: ${v}`;
      const x = Number(v);
      if (!(x === w || Math.abs(x - w) <= 1e-9 * Math.max(Math.abs(x), Math.abs(w)) || (Number.isNaN(x) && Number.isNaN(w)))) return `${key(s.metric)} at ${t}: ${v}, expected ${w}`;
      want.delete(t);
    }
    if (want.size > 0) return `${key(s.metric)} lacks ${want.size} points, first at ${[...want.keys()][0]}`;
  }
  return mine.size > 0 ? `extra series ${[...mine.keys()][0]}` : undefined;
}

/** Samples per second: Myelin counts each sample its selectors load once; Prometheus's stats count a sample once per step window it falls in, so the two columns differ in kind. */
export function row(name: string, t: Timing, samplesLabel: string): string {
  const perSec = t.samples / (t.p50 / 1000);
  return `${name.padEnd(30)} p50 ${t.p50.toFixed(1).padStart(8)} ms  p99 ${t.p99.toFixed(1).padStart(8)} ms  ${t.series.toString().padStart(4)} series  ${(perSec / 1e6).toFixed(1).padStart(6)} M ${samplesLabel}/s`;
}


/**
 * The reference run: a Prometheus (remote-write receiver) gets the same scrapes and answers the
 * same queries; prints its timings, whether each answer equals Myelin's, and the p50 ratios.
 */
export async function compareWithPrometheus(series: GenSeries[], start: number, scrapes: number, queries: readonly BenchQuery[], queryEnd: number, runs: number, mine: ReadonlyMap<string, { p50: number; result: Matrix }>): Promise<void> {
  if (!prometheusInstalled()) {
    console.log('prometheus not installed: no reference run (apt-get install -y prometheus)');
    return;
  }
  const prom = await PrometheusServer.start({ args: ['--web.enable-remote-write-receiver', '--query.max-samples=200000000'] });
  try {
    const t0 = performance.now();
    await pushScrapes(`${prom.url}/api/v1/write`, series, start, 0, scrapes);
    console.log(`prometheus: same samples pushed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await settle();
    const ratios: string[] = [];
    for (const q of queries) {
      const cpu = cpuMeter({ prometheus: [prom.pid] });
      const theirs = await timeRuns(runs, () => apiRangeQuery(`${prom.url}/api/v1`, q, queryEnd));
      console.log(row(`prometheus ${q.name}`, theirs, 'queryable samples (per step)'));
      console.log(cpu(runs + 1)); // timeRuns adds a warm-up call
      const ours = mine.get(q.name) as { p50: number; result: Matrix };
      const difference = firstDifference(ours.result, theirs.result);
      console.log(difference ? `  ANSWERS DIFFER: ${difference}` : '  same answer as Prometheus');
      ratios.push(`${q.name} ${(ours.p50 / theirs.p50).toFixed(2)}`);
    }
    console.log(`p50 time ratio myelin/prometheus (below 1 is faster): ${ratios.join(', ')}`);
  } finally {
    await prom.stop();
  }
}

/** The flags both dashboard benches take. */
export interface DashboardArgs {
  hours: number;
  runs: number;
  only: string;
  prometheus: boolean;
}

/** `--hours=6 --runs=7 --only=NAME --prometheus=false`, plus a bench's own flags (name -> setter). */
export function parseDashboardArgs<T extends object>(own: T, setters: Record<string, (a: T, value: string) => void> = {}): DashboardArgs & T {
  const a = { hours: 6, runs: 7, only: '', prometheus: true, ...own };
  for (const arg of process.argv.slice(2)) {
    const flag = arg.replace(/^--/, '');
    const eq = flag.indexOf('='); // values may hold '=' themselves (bench:query's --variants)
    const [k, v] = eq < 0 ? [flag, ''] : [flag.slice(0, eq), flag.slice(eq + 1)];
    if (k === 'hours') a.hours = Number(v);
    else if (k === 'runs') a.runs = Number(v);
    else if (k === 'only') a.only = v;
    else if (k === 'prometheus') a.prometheus = v !== 'false';
    else if (setters[k]) setters[k](a, v);
    else throw new Error(`unknown argument ${arg}`);
  }
  return a;
}

/** The data of a run: its series, scrapes ending a minute ago, and the queries' end time. */
export interface DataWindow {
  series: GenSeries[];
  scrapes: number;
  /** First and last scrape, ms. */
  start: number;
  end: number;
  /**
   * Queries end 7 s after the last scrape, so no sample sits exactly on a window's left edge:
   * there Prometheus 3 (whose semantics Myelin follows: windows open on the left) and the
   * Prometheus 2.42 reference here (closed on the left) would answer differently.
   */
  queryEnd: number;
  /** The queries `--only` picked that fit in the data. */
  queries: BenchQuery[];
}

export function dataWindow(a: DashboardArgs): DataWindow {
  const scrapes = Math.floor((a.hours * HOUR) / SCRAPE_MS) + 1;
  const end = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const queries = QUERIES.filter((q) => (!a.only || q.name === a.only) && q.rangeMs <= a.hours * HOUR);
  return { series: generateSeries(), scrapes, start: end - (scrapes - 1) * SCRAPE_MS, end, queryEnd: end + 7_000, queries };
}
