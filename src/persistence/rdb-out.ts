// What the per-type RDB encoders (rdb-object.ts, rdb-hash.ts, rdb-stream.ts) share: an output of
// bytes appended piece by piece with rdbSaveLen / rdbSaveRawString / rdbSaveMillisecondTime, and
// listpack blobs built from or read back into strings.
import { Listpack } from '../data/listpack.js';
import type { StreamID } from '../data/stream-id.js';
import { encodeLength, encodeString } from './rdb-encoding.js';

/**
 * What a loader returns for a value with no elements (rdbLoadObject's emptykey): a file skips
 * the key and goes on, RESTORE refuses it as bad data.
 */
export const EMPTY_KEY: unique symbol = Symbol('empty key');

export const latin1 = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
export const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** Bytes appended piece by piece. */
export class RdbOut {
  private parts: Uint8Array[] = [];
  byte(b: number): void {
    this.parts.push(Uint8Array.of(b));
  }
  bytes(b: Uint8Array | number[]): void {
    this.parts.push(b instanceof Uint8Array ? b : Uint8Array.from(b));
  }
  len(n: number | bigint): void {
    this.bytes(encodeLength(Number(n)));
  }
  /** A 64-bit length (stream IDs, counters) kept exact past 2^53. */
  len64(n: bigint): void {
    if (n < 1n << 32n) this.len(Number(n));
    else {
      const b = Buffer.alloc(9);
      b[0] = 0x81;
      b.writeBigUInt64BE(n, 1);
      this.bytes(b);
    }
  }
  /** rdbSaveRawString, with rdbTryIntegerEncoding for short canonical integers. */
  str(s: string | Uint8Array, compress: boolean): void {
    const b = latin1(s);
    if (b.length <= 11) {
      const t = typeof s === 'string' ? s : text(b);
      if (/^(0|-?[1-9][0-9]*)$/.test(t)) {
        const v = Number(t);
        if (v >= -128 && v <= 127) return this.bytes([0xc0, v & 0xff]);
        if (v >= -32768 && v <= 32767) return this.bytes([0xc1, v & 0xff, (v >> 8) & 0xff]);
        if (v >= -2147483648 && v <= 2147483647) return this.bytes([0xc2, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);
      }
    }
    this.bytes(encodeString(b, compress));
  }
  /** A 16-byte stream ID as the radix tree keys it (big endian). */
  id128(id: StreamID): Uint8Array {
    const b = Buffer.alloc(16);
    b.writeBigUInt64BE(id.ms, 0);
    b.writeBigUInt64BE(id.seq, 8);
    return b;
  }
  /** rdbSaveMillisecondTime: 8 bytes, little endian. */
  ms(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(Math.trunc(n)), 0);
    this.bytes(b);
  }
  done(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

export function listpackOf(items: Iterable<string | Uint8Array>): Listpack {
  const lp = new Listpack(256);
  for (const s of items) lp.appendString(typeof s === 'string' ? s : text(s));
  return lp;
}

/** A listpack blob read as a Listpack, or undefined when its header or end byte is wrong. */
export function listpackBlob(blob: Uint8Array): Listpack | undefined {
  if (blob.length < 7 || Buffer.from(blob.buffer, blob.byteOffset, 4).readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) return undefined;
  return new Listpack(0, blob);
}

/** Reads a listpack blob's elements as strings; undefined if it is malformed. */
export function listpackItems(blob: Uint8Array): string[] | undefined {
  const lp = listpackBlob(blob);
  if (!lp) return undefined;
  const out: string[] = [];
  for (let p = lp.first(); p >= 0; p = lp.next(p)) out.push(lp.getString(p));
  return out;
}
