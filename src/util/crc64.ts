// Redis's CRC-64 (crc64.c: the Jones polynomial, reflected, initial value 0): the checksum of RDB
// files and DUMP payloads. crc64(0, "123456789") is 0xe9c6d914c4b8d9ca.

const POLY = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
const TABLE: bigint[] = [];
for (let n = 0; n < 256; n++) {
  let c = BigInt(n);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  TABLE.push(c);
}

export function crc64(crc: bigint, data: Uint8Array): bigint {
  for (let i = 0; i < data.length; i++) crc = TABLE[Number((crc ^ BigInt(data[i]!)) & 0xffn)]! ^ (crc >> 8n);
  return crc;
}
