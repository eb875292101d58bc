import { type CustomTransportStrategy, RpcException, Server, BaseRpcContext } from '@nestjs/microservices';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { lastValueFrom } from 'rxjs';
import { encodeError, encodeResponse, type Frame, FrameDecoder, KIND_REQUEST } from './frame';

/** Thrown by a handler to answer with a status: 4xx for bad data, 5xx for retryable trouble. */
export function rpcError(code: number, message: string): RpcException {
  return new RpcException({ code, message });
}

export interface BinaryRpcServerOptions {
  host: string;
  port: number;
  /** Called with the port actually bound (useful with port 0). */
  onListening?: (port: number) => void;
}

/**
 * A Nest microservice transport: @MessagePattern handlers served over TCP with Myelin's binary
 * framing (frame.ts). Payloads are raw bytes in and out; the handlers own their codecs, so no
 * JSON touches the hot path. Requests on one connection run concurrently and are answered by id.
 */
export class BinaryRpcServer extends Server implements CustomTransportStrategy {
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: BinaryRpcServerOptions) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.server = createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => callback(err));
    this.server.listen(this.options.port, this.options.host, () => {
      const address = this.server!.address();
      const port = typeof address === 'object' && address ? address.port : this.options.port;
      this.options.onListening?.(port);
      callback();
    });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk) => {
      try {
        decoder.push(chunk, (frame) => void this.dispatch(socket, frame));
      } catch (err) {
        this.logger.error?.(`closing RPC connection: ${(err as Error).message}`);
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async dispatch(socket: Socket, frame: Frame): Promise<void> {
    if (frame.kind !== KIND_REQUEST) return;
    const handler = this.getHandlerByPattern(frame.pattern);
    if (!handler) {
      socket.write(encodeError(frame.id, 501, `no handler for RPC ${frame.pattern}`));
      return;
    }
    try {
      const result = await lastValueFrom(this.transformToObservable(await handler(frame.payload, new BaseRpcContext([frame.pattern]))), { defaultValue: undefined });
      const parts = result === undefined ? [] : Array.isArray(result) ? (result as Buffer[]) : [result as Buffer];
      if (!socket.destroyed) {
        socket.cork();
        for (const p of encodeResponse(frame.id, parts)) socket.write(p);
        socket.uncork();
      }
    } catch (err) {
      const e = err as { code?: unknown; status?: unknown; message?: unknown };
      const status = typeof e?.code === 'number' ? e.code : 500;
      const message = typeof e?.message === 'string' ? e.message : String(err);
      if (!socket.destroyed) socket.write(encodeError(frame.id, status, message));
    }
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  on(): void {
    // No transport events to subscribe to.
  }

  unwrap<T>(): T {
    return this.server as T;
  }
}
