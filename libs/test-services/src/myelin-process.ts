import path from 'node:path';
import { existsSync } from 'node:fs';
import { spawnManaged, type ManagedChild } from './child';
import { freePort } from './ports';
import { httpStatus, waitFor } from './wait';
import { workspaceRoot } from './workspace';

export type MyelinBinary = 'myelin' | 'distributor' | 'ingester' | 'querier' | 'compactor';

export interface MyelinProcessOptions {
  binary: MyelinBinary;
  /** Extra flags; -server.http-listen-address/port are added unless given. */
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  onLine?: (line: string) => void;
  /** Own process group, so a terminal's Ctrl-C reaches only the launcher (tools/cluster). */
  detached?: boolean;
  /** Flags for node itself, e.g. --cpu-prof (benchmarks). */
  nodeArgs?: string[];
  /** Another build of the binary to run instead of dist/apps/<binary>/main.js (A/B benchmarks). */
  entry?: string;
}

/** A real Myelin process started from its built bundle (dist/apps/<binary>/main.js). */
export class MyelinProcess {
  private constructor(
    readonly child: ManagedChild,
    readonly port: number,
    /** The binary RPC port (-server.grpc-listen-port). */
    readonly rpcPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the binary and waits until /ready answers 200. */
  static async start(opts: MyelinProcessOptions, readyTimeoutMs = 30_000): Promise<MyelinProcess> {
    const proc = await MyelinProcess.spawn(opts);
    await proc.waitReady(readyTimeoutMs);
    return proc;
  }

  /** Starts the binary without waiting for readiness. */
  static async spawn(opts: MyelinProcessOptions): Promise<MyelinProcess> {
    const entry = opts.entry ?? bundlePath(opts.binary);
    const args = [...(opts.args ?? [])];
    let port = Number(args.find((a) => a.startsWith('-server.http-listen-port='))?.split('=')[1]);
    if (!port) {
      port = await freePort();
      args.push(`-server.http-listen-port=${port}`);
    }
    let rpcPort = Number(args.find((a) => a.startsWith('-server.grpc-listen-port='))?.split('=')[1]);
    if (!rpcPort) {
      rpcPort = await freePort();
      args.push(`-server.grpc-listen-port=${rpcPort}`);
    }
    if (!args.some((a) => a.startsWith('-server.http-listen-address='))) args.push('-server.http-listen-address=127.0.0.1');
    if (!args.some((a) => a.startsWith('-server.grpc-listen-address='))) args.push('-server.grpc-listen-address=127.0.0.1');
    const child = spawnManaged(opts.binary, process.execPath, [...(opts.nodeArgs ?? []), entry, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, detached: opts.detached }, opts.onLine);
    return new MyelinProcess(child, port, rpcPort);
  }

  async waitReady(timeoutMs = 30_000): Promise<void> {
    await waitFor(`${this.child.name} /ready on port ${this.port}`, async () => {
      if (this.child.hasExited) throw new Error(`${this.child.name} exited:\n${this.child.logs()}`);
      return (await httpStatus(`${this.url}/ready`)) === 200 ? true : undefined;
    }, timeoutMs);
  }

  stop(signal: NodeJS.Signals = 'SIGTERM') {
    return this.child.stop(signal);
  }
}

/** Where the built bundle of a binary is; fails with the command to run when it is missing. */
export function bundlePath(binary: string): string {
  const file = path.join(workspaceRoot(), 'dist', 'apps', binary, 'main.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build first`);
  return file;
}
