/** Which remote-write protocol a request speaks, from its headers; or why it cannot be accepted (415). */
export type Protocol = { ok: true; version: 1 | 2 } | { ok: false; error: string };

const V1_PROTO = 'prometheus.WriteRequest';
const V2_PROTO = 'io.prometheus.write.v2.Request';

export function negotiate(contentType: string | undefined, contentEncoding: string | undefined): Protocol {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== 'snappy') {
    return { ok: false, error: `unsupported Content-Encoding ${JSON.stringify(contentEncoding ?? '')}: remote write bodies must be snappy-compressed` };
  }
  if (contentType === undefined || contentType.trim() === '') return { ok: true, version: 1 }; // old senders omit it
  const [media, ...params] = contentType.split(';').map((p) => p.trim());
  if (media.toLowerCase() !== 'application/x-protobuf') {
    return { ok: false, error: `unsupported Content-Type ${JSON.stringify(contentType)}: want application/x-protobuf` };
  }
  const proto = params.map((p) => p.split('=')).find(([k]) => k.trim().toLowerCase() === 'proto')?.[1]?.trim();
  if (proto === undefined || proto === V1_PROTO) return { ok: true, version: 1 };
  if (proto === V2_PROTO) return { ok: true, version: 2 };
  return { ok: false, error: `unsupported remote write protobuf message ${JSON.stringify(proto)}: want ${V1_PROTO} or ${V2_PROTO}` };
}
