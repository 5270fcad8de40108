// The RDB encodings DUMP payloads and RDB files share (rdb.c): lengths (6-bit, 14-bit, 32-bit,
// 64-bit), strings stored as they are, as integers (INT8/16/32) or LZF-compressed, and the
// DUMP payload's footer: the RDB version (2 bytes, little endian) and the CRC-64 of everything
// before it (8 bytes, little endian).
import { crc64 } from '../util/crc64.js';
import { lzfCompress, lzfDecompress } from '../util/lzf.js';

/**
 * RDB_VERSION of Redis 7.4 (and 8.0): the newest format read, in files and in RESTORE payloads.
 * Redis 7.4 added the hash types with field deadlines (24, 25) and nothing else over 7.2's 11.
 */
export const RDB_VERSION = 12;
/** What DUMP payloads carry: 7.2's 11, so that Redis 7.2 restores them; 12 only for a value only 7.4 has. */
export const RDB_VERSION_DUMP = 11;
export const RDB_OPCODE_FUNCTION_PRE_GA = 246;
export const RDB_OPCODE_FUNCTION2 = 245;

const RDB_ENCVAL = 3;
const RDB_ENC_INT8 = 0;
const RDB_ENC_INT16 = 1;
const RDB_ENC_INT32 = 2;
const RDB_ENC_LZF = 3;

/** rdbSaveLen. */
export function encodeLength(n: number): number[] {
  if (n < 1 << 6) return [n];
  if (n < 1 << 14) return [0x40 | (n >> 8), n & 0xff];
  if (n <= 0xffffffff) return [0x80, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  const b = BigInt(n);
  const out = [0x81];
  for (let i = 7; i >= 0; i--) out.push(Number((b >> BigInt(i * 8)) & 0xffn));
  return out;
}

/** rdbSaveRawString: LZF when `compress` and longer than 20 bytes and it saves room, else as is. */
export function encodeString(s: Uint8Array, compress: boolean): Uint8Array {
  if (compress && s.length > 20) {
    const c = lzfCompress(s, s.length - 4);
    if (c) return Uint8Array.from([(RDB_ENCVAL << 6) | RDB_ENC_LZF, ...encodeLength(c.length), ...encodeLength(s.length), ...c]);
  }
  const head = encodeLength(s.length);
  const out = new Uint8Array(head.length + s.length);
  out.set(head, 0);
  out.set(s, head.length);
  return out;
}

/** A reader over an RDB byte stream; every read returns undefined when the data is short or bad. */
export class RdbReader {
  pos = 0;
  constructor(readonly data: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.data.length;
  }

  byte(): number | undefined {
    return this.pos < this.data.length ? this.data[this.pos++] : undefined;
  }

  /** rdbLoadLenByRef: [length, isEncoded]. */
  length(): [number, boolean] | undefined {
    const b = this.byte();
    if (b === undefined) return undefined;
    const type = b >> 6;
    if (type === RDB_ENCVAL) return [b & 0x3f, true];
    if (type === 0) return [b & 0x3f, false];
    if (type === 1) {
      const b2 = this.byte();
      return b2 === undefined ? undefined : [((b & 0x3f) << 8) | b2, false];
    }
    const width = b === 0x80 ? 4 : b === 0x81 ? 8 : 0;
    if (width === 0 || this.pos + width > this.data.length) return undefined;
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + this.data[this.pos++]!;
    return [v, false];
  }

  /** rdbGenericLoadStringObject. */
  string(): Uint8Array | undefined {
    const l = this.length();
    if (!l) return undefined;
    const [n, encoded] = l;
    if (encoded) {
      if (n === RDB_ENC_INT8 || n === RDB_ENC_INT16 || n === RDB_ENC_INT32) {
        const width = 1 << n;
        if (this.pos + width > this.data.length) return undefined;
        let v = 0;
        for (let i = width - 1; i >= 0; i--) v = v * 256 + this.data[this.pos + i]!;
        this.pos += width;
        if (v >= 2 ** (width * 8 - 1)) v -= 2 ** (width * 8);
        return Buffer.from(String(v), 'latin1');
      }
      if (n === RDB_ENC_LZF) {
        const clen = this.length();
        const len = this.length();
        if (!clen || !len || this.pos + clen[0] > this.data.length) return undefined;
        const out = lzfDecompress(this.data.subarray(this.pos, this.pos + clen[0]), len[0]);
        this.pos += clen[0];
        return out;
      }
      return undefined;
    }
    if (this.pos + n > this.data.length) return undefined;
    const s = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

/** A DUMP payload: the body, the RDB version, then the CRC-64 of both. */
export function withFooter(body: Uint8Array, version = RDB_VERSION_DUMP): Uint8Array {
  const out = new Uint8Array(body.length + 10);
  out.set(body, 0);
  out[body.length] = version & 0xff;
  out[body.length + 1] = (version >> 8) & 0xff;
  let crc = crc64(0n, out.subarray(0, body.length + 2));
  for (let i = 0; i < 8; i++) {
    out[body.length + 2 + i] = Number(crc & 0xffn);
    crc >>= 8n;
  }
  return out;
}

/** verifyDumpPayload: the body if the version is one this server reads and the CRC matches. */
export function checkFooter(payload: Uint8Array): Uint8Array | undefined {
  if (payload.length < 10) return undefined;
  const n = payload.length;
  const version = payload[n - 10]! | (payload[n - 9]! << 8);
  if (version > RDB_VERSION) return undefined;
  let crc = 0n;
  for (let i = 7; i >= 0; i--) crc = (crc << 8n) | BigInt(payload[n - 8 + i]!);
  if (crc64(0n, payload.subarray(0, n - 8)) !== crc) return undefined;
  return payload.subarray(0, n - 10);
}
