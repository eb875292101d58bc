export { XORChunk, decodeChunkRange, decodeXOR, xorSampleCount, ENC_XOR, SAMPLES_PER_CHUNK } from './xor';
export type { DecodeTarget } from './xor';
export { XORChunkArena } from './xor-arena';
export { BitReader, BitWriter } from './bstream';
export { readUvarint, readVarint, writeUvarint, writeVarint } from './varint';
export { crc32c } from './crc32c';
