import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnManaged, type ManagedChild } from './child';
import { freePort } from './ports';
import { httpStatus, waitFor } from './wait';

/** Whether the `prometheus` binary (Debian package) is installed. */
export function prometheusInstalled(): boolean {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A real Prometheus on 127.0.0.1 with its own data directory: a remote-write receiver, a
 * remote-write sender (by its config), a PromQL reference. `config` is prometheus.yml; the
 * string `${self}` in it is replaced by this server's host:port (to scrape itself).
 */
export class PrometheusServer {
  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly child: ManagedChild,
  ) {}

  static async start(opts: { config?: string; args?: string[] } = {}): Promise<PrometheusServer> {
    if (!prometheusInstalled()) throw new Error('prometheus is not installed: apt-get install -y --no-install-recommends prometheus');
    const dir = mkdtempSync(path.join(tmpdir(), 'prometheus-'));
    const port = await freePort();
    writeFileSync(path.join(dir, 'prometheus.yml'), (opts.config ?? 'global: {}\n').replaceAll('${self}', `127.0.0.1:${port}`));
    const child = spawnManaged('prometheus', 'prometheus', [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`, ...(opts.args ?? [])], {});
    const server = new PrometheusServer(port, dir, child);
    await waitFor('prometheus ready', async () => {
      if (child.hasExited) throw new Error(`prometheus exited: ${child.logs()}`);
      return (await httpStatus(`${server.url}/-/ready`)) === 200 ? true : undefined;
    }, 30_000);
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    await this.child.stop('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
