import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MyelinProcess, pushRemoteWrite, RedisServer, waitFor } from '@myelin/test-services';

// The read path through real processes: remote write into a distributor and three ingesters
// (RF=3, ring in a real redis-server), read back through a querier's Prometheus API. Every
// sample comes back exactly once (three replicas merged), a tenant sees only its own series,
// Grafana's calls answer in Prometheus's format, and with one ingester killed queries still
// answer completely; with two killed they fail clearly instead of answering in part.
const TENANT = 'team-a';
const OTHER = 'team-b';
const SERIES = 60;
const SAMPLES = 20;
const STEP_S = 15;

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

describe('read path: querier over 3 ingesters, RF=3', () => {
  let redis: RedisServer;
  let distributor: MyelinProcess;
  let querier: MyelinProcess;
  const ingesters: MyelinProcess[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'myelin-read-'));
  // Per-tenant limits, read again every 200 ms: tenant "limited" may fetch only 2 series.
  const runtimeConfig = path.join(dataDir, 'runtime.yaml');
  writeFileSync(runtimeConfig, 'overrides:\n  limited:\n    max_fetched_series_per_query: 2\n');
  // Sample times: whole seconds, SAMPLES of them at STEP_S ending a minute ago.
  const end = Math.floor(Date.now() / 1000) - 60;
  const start = end - (SAMPLES - 1) * STEP_S;
  const ringFlags = () => ['-ring.store=redis', `-ring.redis.address=${redis.address}`, '-ring.heartbeat-period=500ms', '-ring.heartbeat-timeout=1m', '-distributor.replication-factor=3', '-auth.enabled=true'];
  const labelsOf = (s: number) => [
    { name: '__name__', value: s % 2 === 0 ? 'http_requests_total' : 'node_load1' },
    { name: 'instance', value: `host-${s}:9100` },
    { name: 'job', value: 'node' },
  ];
  const valueOf = (s: number, k: number) => s * 1000 + k * 0.5;

  const api = async (p: string, tenant = TENANT, init: RequestInit = {}) => {
    const res = await fetch(`${querier.url}${p}`, { ...init, headers: { 'x-scope-orgid': tenant, ...(init.headers ?? {}) } });
    return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as { status: string; data: unknown; errorType?: string; error?: string } };
  };
  const rangeOf = (query: string, tenant = TENANT) => api(`/prometheus/api/v1/query_range?${new URLSearchParams({ query, start: String(start), end: String(end), step: `${STEP_S}s` })}`, tenant);
  /** What query_range must answer for every series: each written sample, once, at its own time. */
  const expected = () =>
    Array.from({ length: SERIES }, (_, s) => ({
      metric: Object.fromEntries(labelsOf(s).map((l) => [l.name, l.value])),
      values: Array.from({ length: SAMPLES }, (_, k) => [start + k * STEP_S, String(valueOf(s, k))]),
    })).sort((a, b) => JSON.stringify(Object.entries(a.metric)).localeCompare(JSON.stringify(Object.entries(b.metric))));
  const sortedResult = (m: Matrix) => [...m].sort((a, b) => JSON.stringify(Object.entries(a.metric)).localeCompare(JSON.stringify(Object.entries(b.metric))));

  beforeAll(async () => {
    redis = await RedisServer.start();
    for (let i = 1; i <= 3; i++) {
      ingesters[i] = await MyelinProcess.start({ binary: 'ingester', args: [...ringFlags(), `-ring.instance-id=ingester-${i}`, '-ring.instance-addr=127.0.0.1', `-blocks-storage.tsdb.dir=${path.join(dataDir, `ingester-${i}`)}`] });
    }
    distributor = await MyelinProcess.start({ binary: 'distributor', args: ringFlags() });
    querier = await MyelinProcess.start({ binary: 'querier', args: [...ringFlags(), `-runtime-config.file=${runtimeConfig}`, '-runtime-config.reload-period=200ms'] });
    await waitFor('three ACTIVE ingesters in the distributor\'s ring', async () => {
      const rows = ((await (await fetch(`${distributor.url}/ring?format=json`)).json()) as { instances: Array<{ state: string }> }).instances;
      return rows.filter((r) => r.state === 'ACTIVE').length === 3 ? true : undefined;
    });
    for (let k = 0; k < SAMPLES; k++) {
      const series = Array.from({ length: SERIES }, (_, s) => ({ labels: labelsOf(s), timestamps: [(start + k * STEP_S) * 1000], values: [valueOf(s, k)] }));
      const res = await pushRemoteWrite(`${distributor.url}/api/v1/push`, series, { tenant: TENANT });
      expect({ status: res.status, body: res.body }).toEqual({ status: 204, body: '' });
    }
    const limited = await pushRemoteWrite(`${distributor.url}/api/v1/push`, Array.from({ length: 5 }, (_, s) => ({ labels: [{ name: '__name__', value: 'm' }, { name: 's', value: String(s) }], timestamps: [end * 1000], values: [s] })), { tenant: 'limited' });
    expect(limited.status).toBe(204);
    const other = await pushRemoteWrite(`${distributor.url}/api/v1/push`, [{ labels: [{ name: '__name__', value: 'secret_metric' }, { name: 'job', value: 'node' }], timestamps: [end * 1000], values: [42] }], { tenant: OTHER });
    expect(other.status).toBe(204);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...ingesters.filter(Boolean), distributor, querier].filter(Boolean).map((p) => p.stop()));
    await redis?.stop();
  });

  it('returns exactly the samples written, each once, from three replicas', async () => {
    const res = await rangeOf('{job="node"}');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/json/);
    expect(res.body.status).toBe('success');
    const data = res.body.data as { resultType: string; result: Matrix };
    expect(data.resultType).toBe('matrix');
    expect(sortedResult(data.result)).toEqual(expected());
  }, 30_000);

  it('keeps tenants apart', async () => {
    const mine = await api(`/prometheus/api/v1/label/__name__/values`);
    expect(mine.body.data).toEqual(['http_requests_total', 'node_load1']);
    const theirs = await api(`/prometheus/api/v1/label/__name__/values`, OTHER);
    expect(theirs.body.data).toEqual(['secret_metric']);
    const missing = await fetch(`${querier.url}/prometheus/api/v1/labels`);
    expect(missing.status).toBe(401);
  });

  it('answers Grafana\'s calls in Prometheus\'s format, GET and POST', async () => {
    expect((await api('/prometheus/api/v1/status/buildinfo')).body).toMatchObject({ status: 'success', data: { version: expect.any(String) } });
    expect((await api('/prometheus/api/v1/labels')).body).toEqual({ status: 'success', data: ['__name__', 'instance', 'job'] });
    const series = await api(`/prometheus/api/v1/series?${new URLSearchParams([['match[]', 'node_load1{instance="host-1:9100"}'], ['start', String(start)], ['end', String(end)]])}`);
    expect(series.body).toEqual({ status: 'success', data: [{ __name__: 'node_load1', instance: 'host-1:9100', job: 'node' }] });
    const form = new URLSearchParams({ query: 'sum(rate(http_requests_total[1m]))', start: String(start + 60), end: String(end), step: '30' });
    const posted = await api('/api/prom/api/v1/query_range', TENANT, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).toBe(200);
    const result = (posted.body.data as { result: Matrix }).result;
    // Counters grow 0.5 per 15 s, so each of the 30 series rates 1/30 per second.
    expect(result).toHaveLength(1);
    for (const [, v] of result[0].values) expect(Number(v)).toBeCloseTo(1, 9);
    const instant = await api(`/prometheus/api/v1/query?${new URLSearchParams({ query: 'count(node_load1)', time: String(end) })}`);
    expect(instant.body).toEqual({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [end, String(SERIES / 2)] }] } });
    const bad = await api(`/prometheus/api/v1/query?query=${encodeURIComponent('sum(')}`);
    expect(bad).toMatchObject({ status: 400, body: { status: 'error', errorType: 'bad_data' } });
  }, 30_000);

  it('applies per-tenant limits from the runtime configuration, reloaded while running', async () => {
    const query = `/prometheus/api/v1/query?${new URLSearchParams({ query: 'count(m)', time: String(end) })}`;
    expect(await api(query, 'limited')).toEqual({ status: 422, contentType: expect.any(String), body: { status: 'error', errorType: 'execution', error: 'the query hit the max number of series limit (limit: 2 series)' } });
    // Other tenants keep the flag's default (no limit): team-a fetches its 60 series.
    expect((await rangeOf('{job="node"}')).status).toBe(200);
    writeFileSync(runtimeConfig, 'overrides:\n  limited:\n    max_fetched_series_per_query: 10\n');
    await waitFor('the raised limit in force', async () => ((await api(query, 'limited')).status === 200 ? true : undefined), 10_000);
    expect((await api(query, 'limited')).body).toEqual({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [end, '5'] }] } });
    expect(await (await fetch(`${querier.url}/runtime_config`)).text()).toContain('max_fetched_series_per_query: 10');
  });

  it('answers completely with one ingester killed, and fails clearly (503) with two', async () => {
    await ingesters[3].stop('SIGKILL');
    const res = await rangeOf('{job="node"}');
    expect(res.status).toBe(200);
    expect(sortedResult((res.body.data as { result: Matrix }).result)).toEqual(expected());

    await ingesters[2].stop('SIGKILL');
    const failed = await rangeOf('{job="node"}');
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ status: 'error', errorType: 'unavailable' });
    expect(failed.body.error).toMatch(/^2 of 3 sources failed, too many for a complete answer: ingester ingester-\d/);
  }, 30_000);
});
