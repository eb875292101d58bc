import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { spawnManaged, type ManagedChild } from './child';
import { freePort } from './ports';
import { waitFor } from './wait';

/** A real redis-server on 127.0.0.1, no persistence. `stop` and `start` keep the port (restart tests). */
export class RedisServer {
  private child: ManagedChild | undefined;

  private constructor(
    readonly port: number,
    private readonly onLine?: (line: string) => void,
    private readonly detached = false,
  ) {}

  static async start(opts: { port?: number; onLine?: (line: string) => void; detached?: boolean } = {}): Promise<RedisServer> {
    assertRedisInstalled();
    const server = new RedisServer(opts.port ?? (await freePort()), opts.onLine, opts.detached);
    await server.start();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child && !this.child.hasExited) return;
    const child = spawnManaged(
      'redis',
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      { detached: this.detached },
      this.onLine,
    );
    this.child = child;
    await waitFor(`redis-server on port ${this.port}`, async () => {
      if (child.hasExited) throw new Error(`redis-server exited: ${child.logs()}`);
      return (await ping(this.port)) ? true : undefined;
    });
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM');
  }
}

/** True when a Redis server answers PING on the port. */
export function ping(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

function assertRedisInstalled(): void {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('redis-server is not installed: run tools/scripts/ensure-system-deps.sh or apt-get install -y redis-server');
  }
}
