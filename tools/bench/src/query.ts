// `npm run bench:query`: the read path end to end. The dashboard's 10k series are pushed through
// a distributor into three ingesters (RF=3, ring in redis-server), the older part flushed to blocks
// in S3 (s3rver); a querier answers the dashboard's range queries over HTTP, from blocks and
// ingesters as Cortex's time split assigns them. When `prometheus` is installed, a Prometheus
// holding the same samples (remote-write receiver) answers the same requests in the same run.
// Not a test: it prints numbers; record them in docs/benchmarks.md with the machine.
//
//   node dist/tools/bench-query/main.js [--hours=6] [--runs=7] [--only=NAME] [--prometheus=false]
//     [--profile-dir=DIR]  (writes a V8 CPU profile of the querier there)
//     [--ingester-profile-dir=DIR]  (the same for the three ingesters)
//     [--variants='old=dist/ab/old/main.js;new=dist/apps/querier/main.js --max-semi-space-size=64 -some.flag=x']
//       (A/B: one querier per variant, a build (inside the workspace, for its node_modules) with
//       node flags (--x) and querier flags (-x), over the same data; their runs alternate, so the
//       machine's drift hits all alike; no Prometheus run. Every variant gets the bench's querier
//       flags, the chunks cache included: a variant without it adds
//       -blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes=0)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { MyelinProcess, RedisServer, S3Server, waitFor } from '@myelin/test-services';
import { apiRangeQuery, type BenchQuery, compareWithPrometheus, cpuMeter, percentile, dataWindow, type Matrix, parseDashboardArgs, pushScrapes, row, SCRAPE_MS, settle, type Timing, timeRuns } from './dashboard';

interface QueryBenchArgs {
  /** Writes a V8 CPU profile of the querier there. */
  profileDir: string;
  /** Writes V8 CPU profiles of the ingesters there. */
  ingesterProfileDir: string;
  /** Override the querier's -querier.query-store-after / -querier.query-ingesters-within (e.g. 7h / 0 for ingesters only). */
  storeAfter: string;
  ingestersWithin: string;
  /** `name=entry [--node-flags] [-querier-flags]` separated by `;`: queriers compared with alternating runs. */
  variants: string;
}

interface Variant {
  name: string;
  entry: string;
  nodeArgs: string[];
  args: string[];
}

function parseVariants(spec: string): Variant[] {
  return spec
    .split(';')
    .filter((v) => v.trim() !== '')
    .map((v) => {
      const eq = v.indexOf('=');
      if (eq < 1) throw new Error(`--variants: "${v}" is not name=entry [--node-flags] [-querier-flags]`);
      const [entry, ...flags] = v.slice(eq + 1).trim().split(/\s+/);
      return { name: v.slice(0, eq).trim(), entry: path.resolve(entry), nodeArgs: flags.filter((f) => f.startsWith('--')), args: flags.filter((f) => !f.startsWith('--')) };
    });
}

const TENANT = 'bench';

/** Node flags writing a V8 CPU profile into `dir` (none without a dir). */
const profileFlags = (dir: string) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);

async function main(): Promise<void> {
  const a = parseDashboardArgs<QueryBenchArgs>(
    { profileDir: '', ingesterProfileDir: '', storeAfter: '', ingestersWithin: '', variants: '' },
    { 'profile-dir': (x, v) => (x.profileDir = path.resolve(v)), 'ingester-profile-dir': (x, v) => (x.ingesterProfileDir = path.resolve(v)), 'store-after': (x, v) => (x.storeAfter = v), 'ingesters-within': (x, v) => (x.ingestersWithin = v), variants: (x, v) => (x.variants = v) },
  );
  console.log(`bench:query ${JSON.stringify(a)} on ${cpus().length} x ${cpus()[0]?.model}, node ${process.version}`);
  const { series, scrapes, start, queryEnd, queries } = dataWindow(a);
  // The older two thirds go to blocks; the rest stays in the ingesters' heads.
  const flushAt = Math.floor((scrapes * 2) / 3);

  const dir = mkdtempSync(path.join(tmpdir(), 'bench-query-'));
  const [redis, s3] = await Promise.all([RedisServer.start(), S3Server.start({ bucket: 'blocks' })]);
  const processes: MyelinProcess[] = [];
  try {
    const ring = ['-ring.store=redis', `-ring.redis.address=${redis.address}`, '-distributor.replication-factor=3', '-auth.enabled=true', '-log.level=warn'];
    const bucket = s3.myelinFlags();
    for (let i = 1; i <= 3; i++) {
      processes.push(await MyelinProcess.start({ binary: 'ingester', nodeArgs: profileFlags(a.ingesterProfileDir), args: [...ring, ...bucket, `-ring.instance-id=ingester-${i}`, '-ring.instance-addr=127.0.0.1', `-blocks-storage.tsdb.dir=${path.join(dir, `ingester-${i}`)}`, '-ingester.max-series-per-user=0'] }));
    }
    const distributor = await MyelinProcess.start({ binary: 'distributor', args: [...ring, '-distributor.ingestion-rate-limit=0'] });
    // Cortex's production split, scaled to the data: the last third (2 h of 6) is only in the
    // ingesters, so they are asked for the last 2h30m and the blocks up to 2 h ago (the half hour
    // of overlap is de-duplicated). Asking ingesters for less than the data only they hold would
    // leave a gap: Cortex's rule that query-ingesters-within must cover it.
    // The querier runs with the in-memory chunks cache on (as Cortex deployments run a chunks
    // cache): a dashboard refreshing reads object storage's chunks once.
    // The compactor merges the three ingesters' replica blocks into one; the querier reads the
    // merged block alone, as a Cortex querier does once the replicas' deletion marks are older
    // than its ignore-deletion-marks delay (0 here: the steady state, not the first hours).
    const compactor = await MyelinProcess.start({ binary: 'compactor', args: [...bucket, '-compactor.compaction-interval=0', `-compactor.data-dir=${path.join(dir, 'compactor')}`, '-log.level=warn'] });
    const querierArgs = [...ring, ...bucket, '-blocks-storage.bucket-store.ignore-deletion-marks-delay=0s', `-querier.query-store-after=${a.storeAfter || `${Math.round(((scrapes - flushAt) * SCRAPE_MS) / 60_000)}m`}`, `-querier.query-ingesters-within=${a.ingestersWithin || `${Math.round(((scrapes - flushAt) * SCRAPE_MS) / 60_000) + 30}m`}`, '-querier.max-samples=0', '-blocks-storage.bucket-store.chunks-cache.backend=inmemory'];
    const querier = await MyelinProcess.start({ binary: 'querier', nodeArgs: profileFlags(a.profileDir), args: querierArgs });
    processes.push(distributor, querier, compactor);
    await waitFor('three ACTIVE ingesters', async () => {
      const rows = ((await (await fetch(`${distributor.url}/ring?format=json`)).json()) as { instances: Array<{ state: string }> }).instances;
      return rows.filter((r) => r.state === 'ACTIVE').length === 3 ? true : undefined;
    });

    const t0 = performance.now();
    const push = `${distributor.url}/api/v1/push`;
    await pushScrapes(push, series, start, 0, flushAt, { 'x-scope-orgid': TENANT });
    const flushed = await Promise.all(processes.slice(0, 3).map(async (p) => (await (await fetch(`${p.url}/ingester/flush?wait=true`, { method: 'POST' })).json()) as { uploaded: string[]; failedUploads: number }));
    if (flushed.some((f) => f.failedUploads > 0)) throw new Error(`flush failed: ${JSON.stringify(flushed)}`);
    const compacted = (await (await fetch(`${compactor.url}/compactor/compact`, { method: 'POST' })).json()) as { compacted: Array<{ sources: string[] }> };
    await pushScrapes(push, series, start, flushAt, scrapes, { 'x-scope-orgid': TENANT });
    console.log(`myelin: ${series.length} series x ${scrapes} samples pushed (RF=3, ${flushed.reduce((n, f) => n + f.uploaded.length, 0)} blocks shipped, merged into ${compacted.compacted.length} by the compactor) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    await settle();
    if (a.variants) {
      await compareVariants(parseVariants(a.variants), querierArgs, queries, queryEnd, a.runs, processes);
      return;
    }
    const api = `${querier.url}/prometheus/api/v1`;
    const mine = new Map<string, Timing & { result: Matrix }>();
    const pids = { querier: [querier.child.pid], ingesters: processes.slice(0, 3).map((p) => p.child.pid), s3rver: [s3.pid ?? -1], redis: [redis.pid ?? -1] };
    for (const q of queries) {
      const cpu = cpuMeter(pids);
      mine.set(q.name, await timeRuns(a.runs, () => apiRangeQuery(api, q, queryEnd, { 'x-scope-orgid': TENANT })));
      console.log(row(`myelin ${q.name}`, mine.get(q.name) as Timing, 'queryable samples (per step)'));
      console.log(cpu(a.runs + 1)); // timeRuns adds a warm-up call
    }

    if (a.prometheus) await compareWithPrometheus(series, start, scrapes, queries, queryEnd, a.runs, mine);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await redis.stop();
    await s3.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One querier per variant over the same cluster; each query's runs go round robin over them (one
 * warm-up call each first), so a slow spell of the shared machine slows every variant alike.
 */
async function compareVariants(variants: Variant[], args: string[], queries: readonly BenchQuery[], queryEnd: number, runs: number, processes: MyelinProcess[]): Promise<void> {
  const queriers = await Promise.all(variants.map((v) => MyelinProcess.start({ binary: 'querier', entry: v.entry, nodeArgs: v.nodeArgs, args: [...args, ...v.args] })));
  processes.push(...queriers);
  for (const q of queries) {
    const ms = variants.map(() => [] as number[]);
    const meters = queriers.map((p) => cpuMeter({ querier: [p.child.pid] }));
    for (let r = -1; r < runs; r++) {
      for (const [i, p] of queriers.entries()) {
        const t0 = performance.now();
        await apiRangeQuery(`${p.url}/prometheus/api/v1`, q, queryEnd, { 'x-scope-orgid': TENANT });
        if (r >= 0) ms[i].push(performance.now() - t0);
      }
    }
    const p50s = ms.map((m) => percentile(m.sort((x, y) => x - y), 0.5));
    for (const [i, v] of variants.entries()) {
      const spread = `p90 ${percentile(ms[i], 0.9).toFixed(0)} ms, max ${ms[i][ms[i].length - 1].toFixed(0)} ms`;
      console.log(`${q.name.padEnd(20)} ${v.name.padEnd(12)} p50 ${p50s[i].toFixed(1).padStart(7)} ms (${(p50s[i] / p50s[0]).toFixed(2)} of ${variants[0].name}; ${spread})${meters[i](runs + 1)}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
