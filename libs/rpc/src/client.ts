import { connect, type Socket } from 'node:net';
import { encodeRequest, type Frame, FrameDecoder, KIND_ERROR } from './frame';

/** An RPC that failed: `status` 4xx means the request is bad; anything else may be retried. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One multiplexed TCP connection to an RPC server (host:port), opened on first use and reopened
 * after a failure. Calls time out with a 504; a dropped connection fails its calls with a 503.
 */
export class RpcConnection {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(readonly address: string) {}

  async call(pattern: string, payload: readonly Buffer[], timeoutMs: number): Promise<Buffer> {
    const socket = await this.open();
    const id = this.nextId;
    this.nextId = this.nextId === 0xffffffff ? 1 : this.nextId + 1;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcCallError(504, `RPC ${pattern} to ${this.address} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      socket.cork();
      for (const part of encodeRequest(id, pattern, payload)) socket.write(part);
      socket.uncork();
    });
  }

  private open(): Promise<Socket> {
    if (this.closed) return Promise.reject(new RpcCallError(503, `connection to ${this.address} closed`));
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    const i = this.address.lastIndexOf(':');
    const host = this.address.slice(0, i);
    const port = Number(this.address.slice(i + 1));
    this.connecting = new Promise<Socket>((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder();
      const onConnectError = (err: Error) => reject(new RpcCallError(503, `cannot connect to ${this.address}: ${err.message}`));
      socket.once('error', onConnectError);
      socket.once('connect', () => {
        socket.off('error', onConnectError);
        socket.on('error', () => undefined);
        this.socket = socket;
        resolve(socket);
      });
      socket.on('data', (chunk) => {
        try {
          decoder.push(chunk, (f) => this.settle(f));
        } catch (err) {
          socket.destroy(err as Error);
        }
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.failAll(new RpcCallError(503, `connection to ${this.address} lost`));
      });
    }).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private settle(f: Frame): void {
    const p = this.pending.get(f.id);
    if (!p) return;
    this.pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.kind === KIND_ERROR) p.reject(new RpcCallError(f.status, f.message));
    else p.resolve(f.payload);
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.destroy();
    this.failAll(new RpcCallError(503, `connection to ${this.address} closed`));
  }
}

/** A few connections to one server, used in turn (Cortex keeps a client pool per ingester). */
export class RpcClient {
  private readonly connections: RpcConnection[];
  private next = 0;

  constructor(
    readonly address: string,
    size = 2,
  ) {
    this.connections = Array.from({ length: Math.max(1, size) }, () => new RpcConnection(address));
  }

  call(pattern: string, payload: readonly Buffer[], timeoutMs: number): Promise<Buffer> {
    const c = this.connections[this.next];
    this.next = (this.next + 1) % this.connections.length;
    return c.call(pattern, payload, timeoutMs);
  }

  close(): void {
    for (const c of this.connections) c.close();
  }
}
