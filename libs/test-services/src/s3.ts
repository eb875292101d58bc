import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnManaged, type ManagedChild } from './child';
import { freePort } from './ports';
import { httpStatus, waitFor } from './wait';

/**
 * A real S3 endpoint (s3rver) on 127.0.0.1 with one bucket. Clients must use path-style
 * addressing and the SDK's checksum settings WHEN_REQUIRED (see docs/testing.md).
 * `stop` and `start` keep the port and the data (outage tests).
 */
export class S3Server {
  static readonly accessKeyId = 'S3RVER';
  static readonly secretAccessKey = 'S3RVER';
  static readonly region = 'us-east-1';

  private child: ManagedChild | undefined;

  private constructor(
    readonly port: number,
    readonly bucket: string,
    readonly dir: string,
    private readonly ownsDir: boolean,
    private readonly onLine?: (line: string) => void,
    private readonly detached = false,
  ) {}

  static async start(
    opts: { port?: number; bucket?: string; dir?: string; onLine?: (line: string) => void; detached?: boolean } = {},
  ): Promise<S3Server> {
    const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'myelin-s3-'));
    const server = new S3Server(opts.port ?? (await freePort()), opts.bucket ?? 'myelin', dir, opts.dir === undefined, opts.onLine, opts.detached);
    await server.start();
    return server;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The flags that point a Myelin process's blocks storage at this server's bucket. */
  myelinFlags(): string[] {
    return [
      '-blocks-storage.backend=s3',
      `-blocks-storage.s3.endpoint=127.0.0.1:${this.port}`,
      `-blocks-storage.s3.bucket-name=${this.bucket}`,
      `-blocks-storage.s3.access-key-id=${S3Server.accessKeyId}`,
      `-blocks-storage.s3.secret-access-key=${S3Server.secretAccessKey}`,
      '-blocks-storage.s3.insecure=true',
      '-blocks-storage.s3.max-retries=1',
    ];
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    if (this.child && !this.child.hasExited) return;
    const bin = require.resolve('s3rver/bin/s3rver.js');
    const child = spawnManaged(
      's3',
      process.execPath,
      ['--openssl-legacy-provider', bin, '-d', this.dir, '-a', '127.0.0.1', '-p', String(this.port), '--silent', '--configure-bucket', this.bucket],
      { detached: this.detached },
      this.onLine,
    );
    this.child = child;
    await waitFor(`s3rver on port ${this.port}`, async () => {
      if (child.hasExited) throw new Error(`s3rver exited: ${child.logs()}`);
      return (await httpStatus(`${this.endpoint}/${this.bucket}`)) === 200 ? true : undefined;
    });
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM');
  }

  /** Stops the server and removes its data directory if this server created it. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }
}
