// Redis's CRC-64 (crc64.c: the Jones polynomial, reflected, initial value 0): the checksum of RDB
// files and DUMP payloads. crc64(0, "123456789") is 0xe9c6d914c4b8d9ca.

const POLY = 0x95ac9329ac4bc9b5n; // 0xad93d23594c935a9 reflected
const TABLE: bigint[] = [];
for (let n = 0; n < 256; n++) {
  let c = BigInt(n);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  TABLE.push(c);
}

// The table split into 32-bit halves: the loop runs on numbers, not BigInts (an RDB file is
// checksummed byte by byte, megabytes of them).
const LO = Uint32Array.from(TABLE, (c) => Number(c & 0xffffffffn));
const HI = Uint32Array.from(TABLE, (c) => Number(c >> 32n));

export function crc64(crc: bigint, data: Uint8Array): bigint {
  let lo = Number(crc & 0xffffffffn) >>> 0;
  let hi = Number(crc >> 32n) >>> 0;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]!) & 0xff;
    const nlo = ((lo >>> 8) | (hi << 24)) >>> 0;
    hi = (HI[idx]! ^ (hi >>> 8)) >>> 0;
    lo = (LO[idx]! ^ nlo) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}
