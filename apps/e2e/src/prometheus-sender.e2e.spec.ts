import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MyelinProcess, PrometheusServer, waitFor } from '@myelin/test-services';

// A real Prometheus 2.42 scrapes itself every second and remote-writes to a single-process Myelin.
// What Myelin answers for a window of raw samples is exactly what Prometheus itself answers: same
// series, same timestamps, same values. Myelin runs without multi-tenancy (tenant "fake"): the
// Debian build of Prometheus 2.42 here parses remote_write `headers` but does not send them
// (checked against a listener that printed every request's headers), so X-Scope-OrgID cannot be
// set from its config.

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

describe('a real Prometheus as a remote-write sender', () => {
  let myelin: MyelinProcess;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    myelin = await MyelinProcess.start({ binary: 'myelin', cwd: mkdtempSync(path.join(tmpdir(), 'myelin-prom-sender-')) });
    prometheus = await PrometheusServer.start({
      config: [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: prometheus',
        '    static_configs: [{ targets: ["${self}"] }]',
        'remote_write:',
        `  - url: ${myelin.url}/api/v1/push`,
        '    queue_config: { batch_send_deadline: 500ms, min_backoff: 100ms, max_backoff: 1s }',
        '',
      ].join('\n'),
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await myelin?.stop();
  });

  const rawWindow = async (base: string, prefix: string, at: number) => {
    const query = '{job="prometheus", __name__=~"up|scrape_samples_scraped|prometheus_tsdb_head_series|prometheus_http_requests_total"}[10s]';
    const res = await fetch(`${base}${prefix}/api/v1/query?${new URLSearchParams({ query, time: String(at) })}`);
    const body = (await res.json()) as { status: string; data: { resultType: string; result: Matrix } };
    expect(body.status).toBe('success');
    expect(body.data.resultType).toBe('matrix');
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
    return body.data.result.sort((a, b) => key(a.metric).localeCompare(key(b.metric)));
  };

  it('reads back exactly the samples Prometheus holds', async () => {
    // Until Prometheus has scraped itself for a full window, then until Myelin has the samples of
    // the window's end.
    await waitFor(
      'ten seconds of scrapes in Prometheus',
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: 'count_over_time(up{job="prometheus"}[12s])' })}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return Number(body.data.result[0]?.value[1] ?? 0) >= 12 ? true : undefined;
      },
      40_000,
    );
    const at = Math.floor(Date.now() / 1000) - 1;
    await waitFor(
      'the window\'s last scrape in Myelin',
      async () => {
        const res = await fetch(`${myelin.url}/prometheus/api/v1/query?${new URLSearchParams({ query: 'timestamp(up{job="prometheus"})', time: String(at + 1) })}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return Number(body.data.result[0]?.value[1] ?? 0) >= at ? true : undefined;
      },
      20_000,
    );
    const theirs = await rawWindow(prometheus.url, '', at);
    const ours = await rawWindow(myelin.url, '/prometheus', at);
    expect(theirs.length).toBeGreaterThanOrEqual(4);
    // A scrape every second: the 10 s window holds about 10 samples of `up` (series such as a
    // handler's request counter appear only once that handler was first called).
    expect(theirs.find((s) => s.metric.__name__ === 'up')?.values.length).toBeGreaterThanOrEqual(8);
    expect(ours).toEqual(theirs);
  }, 60_000);
});
