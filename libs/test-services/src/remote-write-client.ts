import { encodeWriteRequestV1, encodeWriteRequestV2, type SeriesToWrite, snappyEncode } from '@myelin/remote-write';

export interface PushResponse {
  status: number;
  body: string;
  headers: Headers;
}

/** Sends one remote-write request as Prometheus would (snappy, protobuf, version headers). */
export async function pushRemoteWrite(
  url: string,
  series: readonly SeriesToWrite[],
  opts: { tenant?: string; version?: 1 | 2; timeoutMs?: number } = {},
): Promise<PushResponse> {
  const version = opts.version ?? 1;
  const raw = version === 1 ? encodeWriteRequestV1(series) : encodeWriteRequestV2(series);
  return postRaw(url, snappyEncode(raw), {
    'content-type': version === 1 ? 'application/x-protobuf' : 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': version === 1 ? '0.1.0' : '2.0.0',
    ...(opts.tenant ? { 'x-scope-orgid': opts.tenant } : {}),
  }, opts.timeoutMs);
}

/** POSTs bytes with the given headers (for malformed requests). */
export async function postRaw(url: string, body: Uint8Array, headers: Record<string, string>, timeoutMs = 10_000): Promise<PushResponse> {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
