export { BinaryRpcServer, rpcError } from './server';
export type { BinaryRpcServerOptions } from './server';
export { RpcCallError, RpcClient, RpcConnection } from './client';
export { encodeError, encodeRequest, encodeResponse, FrameDecoder, MAX_FRAME } from './frame';
export type { Frame } from './frame';
