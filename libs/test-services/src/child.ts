import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';

/**
 * A child process whose output is kept (last lines) and forwarded to an optional sink, and which is
 * killed when this process exits, so a failing test leaves nothing running.
 */
export class ManagedChild {
  private readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    onLine?: (line: string) => void,
  ) {
    live.add(this);
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        this.output.push(line);
        if (this.output.length > 2000) this.output.shift();
        onLine?.(line);
      }
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  logs(): string {
    return this.output.join('\n');
  }

  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it is still running. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.exitInfo) return this.exitInfo;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

const live = new Set<ManagedChild>();
process.on('exit', () => {
  for (const child of live) child.proc.kill('SIGKILL');
});

export function spawnManaged(name: string, command: string, args: string[], options: SpawnOptions = {}, onLine?: (line: string) => void): ManagedChild {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  return new ManagedChild(name, proc, onLine);
}
