// `npm run bench:ingest`: remote-write ingestion throughput of a single-process Myelin, and of a
// Prometheus (remote-write receiver) on the same requests when `prometheus` is installed.
// Not a test: it prints numbers; record them in docs/benchmarks.md with the machine.
//
//   node dist/tools/bench-ingest/main.js [--series=50000] [--rounds=10] [--per-request=2000] [--concurrency=4] [--fsync=true]
//     [--profile-dir=DIR]  (writes a V8 CPU profile of the Myelin process there)
//     [--heap-snapshot-dir=DIR]  (V8 heap snapshots of the Myelin process's main thread before and after round 0)
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { encodeWriteRequestV1, snappyEncode } from '@myelin/remote-write';
import { MyelinProcess, postRaw, PrometheusServer, prometheusInstalled } from '@myelin/test-services';
import { cpuSeconds } from './dashboard';

interface Args {
  series: number;
  rounds: number;
  perRequest: number;
  concurrency: number;
  fsync: boolean;
  profileDir: string;
  heapDir: string;
}

function parseArgs(): Args {
  const a: Args = { series: 50_000, rounds: 10, perRequest: 2_000, concurrency: 4, fsync: true, profileDir: '', heapDir: '' };
  for (const arg of process.argv.slice(2)) {
    const [k, v] = arg.replace(/^--/, '').split('=');
    if (k === 'series') a.series = Number(v);
    else if (k === 'rounds') a.rounds = Number(v);
    else if (k === 'per-request') a.perRequest = Number(v);
    else if (k === 'concurrency') a.concurrency = Number(v);
    else if (k === 'fsync') a.fsync = v !== 'false';
    else if (k === 'profile-dir') a.profileDir = path.resolve(v);
    else if (k === 'heap-snapshot-dir') a.heapDir = path.resolve(v);
    else throw new Error(`unknown argument ${arg}`);
  }
  return a;
}

const MODES = ['user', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'nice'];
const METRICS = ['node_cpu_seconds_total', 'node_memory_MemFree_bytes', 'node_network_receive_bytes_total', 'node_disk_read_bytes_total', 'node_filesystem_avail_bytes'];

/** node_exporter-like series: a metric name, instance, job, and one varying label. */
function seriesLabels(i: number) {
  const metric = METRICS[i % METRICS.length];
  const host = Math.floor(i / 40);
  const detail = i % 40;
  return [
    { name: '__name__', value: metric },
    { name: 'cpu', value: String(detail % 8) },
    { name: 'instance', value: `host-${host}.example.org:9100` },
    { name: 'job', value: 'node' },
    { name: 'mode', value: MODES[detail % MODES.length] + (detail >= 8 ? `_${detail}` : '') },
  ];
}

/** Every request of every round, encoded and compressed before the clock starts. */
function buildBodies(a: Args, start: number): Uint8Array[][] {
  const labels = Array.from({ length: a.series }, (_, i) => seriesLabels(i));
  const rounds: Uint8Array[][] = [];
  for (let r = 0; r < a.rounds; r++) {
    const t = start + r * 15_000;
    const bodies: Uint8Array[] = [];
    for (let from = 0; from < a.series; from += a.perRequest) {
      const batch = [];
      for (let i = from; i < Math.min(a.series, from + a.perRequest); i++) batch.push({ labels: labels[i], timestamps: [t], values: [Math.sin(i + r) * 1000] });
      bodies.push(snappyEncode(encodeWriteRequestV1(batch)));
    }
    rounds.push(bodies);
  }
  return rounds;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

interface Result {
  name: string;
  samplesPerSec: number;
  cpuSecPerMillion: number;
  p50: number;
  p99: number;
  bytesPerSeries: number;
  /** RSS growth over the second half of round 0 per series it created: per-series cost without warm-up. */
  marginalBytesPerSeries: number;
  failures: number;
}

/** Asks a process started with --heapsnapshot-signal=SIGUSR2 for a snapshot and moves it to `to` once written. */
async function heapSnapshot(pid: number, cwd: string, to: string): Promise<void> {
  const before = new Set(readdirSync(cwd));
  process.kill(pid, 'SIGUSR2');
  for (let last = -1; ; ) {
    await new Promise((r) => setTimeout(r, 500));
    const file = readdirSync(cwd).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    if (!file) continue;
    const size = statSync(path.join(cwd, file)).size;
    if (size > 0 && size === last) {
      renameSync(path.join(cwd, file), to);
      console.log(`heap snapshot: ${to}`);
      return;
    }
    last = size;
  }
}

async function run(name: string, url: string, pid: number, rounds: Uint8Array[][], a: Args, snapshot?: (label: string) => Promise<void>): Promise<Result> {
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
  const send = async (bodies: Uint8Array[], latencies: number[]) => {
    let next = 0;
    let failures = 0;
    await Promise.all(
      Array.from({ length: a.concurrency }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++];
          const t0 = performance.now();
          const res = await postRaw(url, body, headers, 60_000);
          latencies.push(performance.now() - t0);
          if (res.status >= 300) failures++;
        }
      }),
    );
    return failures;
  };
  await snapshot?.('before');
  const rssBefore = rssBytes(pid);
  // Round 0 creates the series; its memory growth is the head's cost per series. Its first half
  // also pays the process's warm-up (compiled code, young generation, first pages), which the
  // second half's growth leaves out.
  const half = Math.floor(rounds[0].length / 2);
  let failures = await send(rounds[0].slice(0, half), []);
  await new Promise((r) => setTimeout(r, 500));
  const rssHalf = rssBytes(pid);
  failures += await send(rounds[0].slice(half), []);
  await new Promise((r) => setTimeout(r, 500));
  const rssAfter = rssBytes(pid);
  const bytesPerSeries = (rssAfter - rssBefore) / a.series;
  const secondHalfSeries = a.series - Math.min(a.series, half * a.perRequest);
  const marginalBytesPerSeries = (rssAfter - rssHalf) / secondHalfSeries;
  await snapshot?.('after');
  const latencies: number[] = [];
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let r = 1; r < rounds.length; r++) failures += await send(rounds[r], latencies);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const samples = a.series * (rounds.length - 1);
  latencies.sort((x, y) => x - y);
  return {
    name,
    samplesPerSec: samples / seconds,
    cpuSecPerMillion: (cpu / samples) * 1e6,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
    bytesPerSeries,
    marginalBytesPerSeries,
    failures,
  };
}

function fmt(r: Result): string {
  return `${r.name.padEnd(11)} ${Math.round(r.samplesPerSec).toLocaleString('en').padStart(10)} samples/s  ${r.cpuSecPerMillion.toFixed(2).padStart(6)} CPU-s/M samples  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  ${Math.round(r.bytesPerSeries).toLocaleString('en').padStart(6)} B RSS/series (${Math.round(r.marginalBytesPerSeries).toLocaleString('en')} B in round 0's second half)  failures ${r.failures}`;
}

async function main(): Promise<void> {
  const a = parseArgs();
  console.log(`bench:ingest ${JSON.stringify(a)} on ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
  const start = Date.now() - a.rounds * 15_000;
  const rounds = buildBodies(a, start);
  console.log(`${rounds.length} rounds x ${rounds[0].length} requests prepared`);

  const dir = mkdtempSync(path.join(tmpdir(), 'bench-myelin-'));
  if (a.heapDir) mkdirSync(a.heapDir, { recursive: true });
  const myelin = await MyelinProcess.start({
    binary: 'myelin',
    cwd: dir,
    nodeArgs: [...(a.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${a.profileDir}`] : []), ...(a.heapDir ? ['--heapsnapshot-signal=SIGUSR2'] : [])],
    args: ['-distributor.ingestion-rate-limit=0', '-ingester.max-series-per-user=0', `-blocks-storage.tsdb.wal-fsync=${a.fsync}`, '-log.level=warn'],
  });
  const results: Result[] = [];
  try {
    const pid = myelin.child.pid!;
    const snapshot = a.heapDir ? (label: string) => heapSnapshot(pid, dir, path.join(a.heapDir, `${label}-round0.heapsnapshot`)) : undefined;
    results.push(await run('myelin', `${myelin.url}/api/v1/push`, pid, rounds, a, snapshot));
  } finally {
    await myelin.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const prom = prometheusInstalled() ? await PrometheusServer.start({ args: ['--web.enable-remote-write-receiver'] }) : undefined;
  if (prom) {
    try {
      results.push(await run('prometheus', `${prom.url}/api/v1/write`, prom.pid, rounds, a));
    } finally {
      await prom.stop();
    }
  } else {
    console.log('prometheus not installed: no reference run (apt-get install -y prometheus)');
  }
  for (const r of results) console.log(fmt(r));
  if (results.length === 2) {
    console.log(`ratio myelin/prometheus: throughput ${(results[0].samplesPerSec / results[1].samplesPerSec).toFixed(2)}, CPU per sample ${(results[0].cpuSecPerMillion / results[1].cpuSecPerMillion).toFixed(2)}, memory per series ${(results[0].bytesPerSeries / results[1].bytesPerSeries).toFixed(2)} (second half ${(results[0].marginalBytesPerSeries / results[1].marginalBytesPerSeries).toFixed(2)})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
