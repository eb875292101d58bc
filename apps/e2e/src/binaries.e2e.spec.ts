import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { OPTIONS } from '@myelin/platform';
import { bundlePath, type MyelinBinary, MyelinProcess } from '@myelin/test-services';

const run = promisify(execFile);
const BINARIES: MyelinBinary[] = ['myelin', 'distributor', 'ingester', 'querier', 'compactor'];

describe.each(BINARIES)('the %s binary', (binary) => {
  let proc: MyelinProcess;
  let cwd: string;
  beforeAll(async () => {
    cwd = mkdtempSync(path.join(tmpdir(), `myelin-${binary}-`));
    proc = await MyelinProcess.start({ binary, cwd, args: ['-blocks-storage.s3.secret-access-key=do-not-show'] });
  });
  afterAll(async () => {
    if (proc) await proc.stop();
  });

  it('answers /ready 200', async () => {
    const res = await fetch(`${proc.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ready\n');
  });

  it('serves its metrics in the Prometheus text format', async () => {
    const res = await fetch(`${proc.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toMatch(/cortex_request_duration_seconds_count\{method="GET",route="ready",status_code="200",ws="false"\} [1-9]/);
  });

  it('shows its effective config with secrets redacted', async () => {
    const text = await (await fetch(`${proc.url}/config`)).text();
    expect(text).toContain(`target: ${binary === 'myelin' ? 'all' : binary}`);
    expect(text).toContain(`http_listen_port: ${proc.port}`);
    expect(text).toContain('secret_access_key: "********"');
    expect(text).not.toContain('do-not-show');
  });

  it('logs JSON lines naming itself', () => {
    const lines = proc.child.logs().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'Myelin started')).toMatchObject({ service: binary, level: 'info' });
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    const exit = await proc.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(proc.child.logs()).toContain('"msg":"stopped"');
  });
});

describe('command line', () => {
  it('--help lists every flag with its default', async () => {
    const { stdout } = await run(process.execPath, [bundlePath('ingester'), '--help']);
    for (const flag of Object.keys(OPTIONS)) expect(stdout).toContain(`  -${flag} `);
    expect(stdout).toMatch(/-target enum\n.*\(default "ingester"\)/);
  });

  it.each([
    [['-distributor.replication-factor=three'], 'invalid value "three" for distributor.replication-factor (flag -distributor.replication-factor): must be an integer'],
    [['-ring.store=zookeeper'], 'invalid value "zookeeper" for ring.store (flag -ring.store): must be one of inmemory, redis'],
    [['-target=querier'], 'invalid value "querier" for target: this binary runs distributor'],
    [['-config.file=/nonexistent/myelin.yaml'], 'config file /nonexistent/myelin.yaml: ENOENT'],
  ])('a bad config %j exits 1 naming the key', async (args, message) => {
    const err = await run(process.execPath, [bundlePath('distributor'), ...args]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain(`distributor: config error: ${message}`);
  });

  it('a bad runtime configuration file exits 1 naming the tenant and the limit', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'runtime-config-')), 'limits.yaml');
    writeFileSync(file, 'overrides:\n  team-a:\n    query_timeout: soon\n');
    const err = await run(process.execPath, [bundlePath('querier'), `-runtime-config.file=${file}`]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain(`querier: config error: runtime-config.file: ${file}: overrides.team-a.query_timeout: must be a duration such as 30s, 5m or 1h30m`);
  });

  it('a bad value from the environment exits 1 naming the variable', async () => {
    const err = await run(process.execPath, [bundlePath('querier')], {
      env: { ...process.env, MYELIN_QUERIER_QUERY_INGESTERS_WITHIN: 'soon' },
    }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toContain('for querier.query-ingesters-within (env MYELIN_QUERIER_QUERY_INGESTERS_WITHIN)');
  });
});
