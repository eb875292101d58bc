import { Body, Controller, Headers, Module, Post } from '@nestjs/common';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { createMyelinApp, modulesForTarget } from './app';
import { ManualClock } from './clock';
import { loadConfig } from './config/load-config';
import { createLogger } from './logging/logger';
import { createMetricsRegistry } from './metrics/registry';
import { Readiness } from './readiness';

@Controller()
class EchoController {
  /** Says what the handler received: the body's type and, for bytes, their length and first bytes. */
  @Post('echo')
  echo(@Body() body: unknown, @Headers('content-type') type: string) {
    if (Buffer.isBuffer(body)) return { type, buffer: true, length: body.length, head: [...body.subarray(0, 4)] };
    return { type, buffer: false, body };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('createMyelinApp', () => {
  let app: NestFastifyApplication;
  let readiness: Readiness;
  const logLines: string[] = [];

  beforeAll(async () => {
    const loaded = loadConfig({
      argv: ['-blocks-storage.s3.secret-access-key=topsecret', '-distributor.max-recv-msg-size=4096'],
      env: {},
      readFile: () => '',
    });
    if (loaded.kind !== 'config') throw new Error('bad test config');
    readiness = new Readiness();
    const sink = new Writable({ write: (chunk, _enc, cb) => (logLines.push(String(chunk)), cb()) });
    app = await createMyelinApp(
      {
        config: loaded.config,
        logger: createLogger({ level: 'info', service: 'test' }, sink),
        registry: createMetricsRegistry(),
        clock: new ManualClock(0),
        readiness,
      },
      [EchoModule],
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  const inject = (opts: InjectOptions) => app.getHttpAdapter().getInstance().inject(opts);

  it('answers /ready 503 until started, then 200', async () => {
    const before = await inject({ method: 'GET', url: '/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.body).toBe('not ready: starting\n');
    readiness.markStarted();
    const after = await inject({ method: 'GET', url: '/ready' });
    expect(after.statusCode).toBe(200);
    expect(after.body).toBe('ready\n');
  });

  it('hands protobuf bodies over as the raw bytes', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x61]);
    const res = await inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
      payload: bytes,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ type: 'application/x-protobuf', buffer: true, length: 5, head: [0xff, 0x00, 0x7b, 0x22] });
  });

  it('parses JSON and forms', async () => {
    const json = await inject({ method: 'POST', url: '/echo', payload: { state: 'READONLY' } });
    expect(json.json()).toMatchObject({ buffer: false, body: { state: 'READONLY' } });
    const form = await inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'query=up&time=10',
    });
    expect(form.json()).toMatchObject({ buffer: false, body: { query: 'up', time: '10' } });
  });

  it('refuses a body over distributor.max-recv-msg-size with 413', async () => {
    const res = await inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.alloc(5000),
    });
    expect(res.statusCode).toBe(413);
  });

  it('serves process and request metrics from its own registry', async () => {
    await inject({ method: 'GET', url: '/ready' });
    const res = await inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(/cortex_request_duration_seconds_count\{method="GET",route="ready",status_code="(200|503)",ws="false"\} \d+/);
  });

  it('shows the effective config as YAML with secrets redacted', async () => {
    const res = await inject({ method: 'GET', url: '/config' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_listen_port: 9009');
    expect(res.body).toContain('secret_access_key: "********"');
    expect(res.body).not.toContain('topsecret');
  });

  it('logs JSON lines through pino', () => {
    const parsed = logLines.map((l) => JSON.parse(l));
    expect(parsed.some((l) => l.service === 'test' && typeof l.msg === 'string' && l.level === 'info')).toBe(true);
  });
});

describe('modulesForTarget', () => {
  class A {}
  class B {}
  it.each([
    ['all', [A, B]],
    ['distributor', [A]],
    ['ingester', [B]],
  ] as const)('%s', (target, expected) => {
    expect(modulesForTarget(target, { distributor: A, ingester: B })).toEqual(expected);
  });

  it('names the key when the binary lacks the target', () => {
    expect(modulesForTarget('querier', { distributor: A })).toBe(
      'invalid value "querier" for target: this binary runs distributor',
    );
  });
});
