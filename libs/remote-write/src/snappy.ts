import { compress, uncompress } from 'snappyjs';
import { DecodeError } from './protobuf';

/**
 * Snappy block format (what remote write uses). The uncompressed length in the header is checked
 * against `maxLength` before anything is allocated, so a small body cannot claim a huge one.
 */
export function snappyDecode(body: Uint8Array, maxLength: number): Uint8Array {
  try {
    return uncompress(body, maxLength) as Uint8Array;
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('The uncompressed length')) throw new DecodeError(`snappy: ${message} (-distributor.max-recv-msg-size)`);
    throw new DecodeError(`snappy: ${message}`);
  }
}

export function snappyEncode(raw: Uint8Array): Uint8Array {
  return compress(raw) as Uint8Array;
}
