// An RDB file (rdb.c rdbSaveRio / rdbLoadRio): "REDIS0011", aux fields, function libraries, then
// per non-empty database SELECTDB, RESIZEDB and its keys (each with its expire time and, under
// an LRU or LFU policy, its idle time or frequency), EOF and the CRC-64 of everything before it
// (zero with rdbchecksum no). Written in slices to a file descriptor; read by rdb-parser.ts.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { Value } from '../data/keyspace.js';
import { crc64 } from '../util/crc64.js';
import { encodeLength, encodeString, RDB_OPCODE_FUNCTION2 } from './rdb-encoding.js';
import { saveObject, type SaveOptions } from './rdb-object.js';

/**
 * Files say version 10 (Redis 7.0's) and use only what 7.0 reads, so Redis 7.0 and later load
 * them; a dataset holding a hash with field deadlines is written as 12 (Redis 7.4's), as only
 * 7.4's hash types keep them (see fileRdbVersion).
 */
export const RDB_FILE_VERSION = 10;
export const RDB_FILE_VERSION_HFE = 12;
export const RDB_OPCODE_SLOT_INFO = 244;
export const RDB_OPCODE_MODULE_AUX = 247;
export const RDB_TYPE_MODULE_PRE_GA = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_OPCODE_IDLE = 248;
export const RDB_OPCODE_FREQ = 249;
export const RDB_OPCODE_AUX = 250;
export const RDB_OPCODE_RESIZEDB = 251;
export const RDB_OPCODE_EXPIRETIME_MS = 252;
export const RDB_OPCODE_EXPIRETIME = 253;
export const RDB_OPCODE_SELECTDB = 254;
export const RDB_OPCODE_EOF = 255;

/** One key as the file holds it. */
export interface RdbKey {
  key: string;
  value: Value;
  /** Absolute ms, -1 for none. */
  expire: number;
  /** Under an LRU policy: idle seconds; under LFU: the counter; else undefined. */
  idle?: number;
  freq?: number;
}

/** What a writer needs to know to encode values as OBJECT ENCODING reports them. */
export type EncodeValue = (v: Value) => SaveOptions;

interface Latin1Buffer extends Buffer {
  latin1Write(s: string, off: number): number;
}

/** Buffers bytes, keeps the running CRC, and writes to `fd` in 1 MiB slices. */
export class RdbWriter {
  private buf = Buffer.allocUnsafe(1 << 20) as Latin1Buffer;
  private pos = 0;
  private crc = 0n;
  bytes = 0;

  /**
   * Writes to `fd` synchronously, or, given `sink`, hands each filled buffer over to it (a
   * background save writing off the main thread) and goes on in a new one.
   */
  constructor(private readonly fd: number, private readonly checksum: boolean, private readonly sink?: (chunk: Buffer) => void) {}

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n) as Latin1Buffer;
  }

  write(b: Uint8Array | number[]): void {
    this.room(b.length);
    if (b instanceof Uint8Array) this.buf.set(b, this.pos);
    else for (let i = 0; i < b.length; i++) this.buf[this.pos + i] = b[i]!;
    this.pos += b.length;
  }

  private flush(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    if (this.checksum) this.crc = crc64(this.crc, chunk);
    if (this.sink) {
      // A small chunk (a slice handed over early) is copied and the buffer kept; a full one is
      // given away whole.
      if (this.pos < this.buf.length >> 2) this.sink(Buffer.from(chunk));
      else {
        this.sink(chunk);
        this.buf = Buffer.allocUnsafe(1 << 20) as Latin1Buffer;
      }
    } else {
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fd, chunk, off);
    }
    this.bytes += chunk.length;
    this.pos = 0;
  }

  /** Hands what is buffered to the sink now (a stream sink gets each slice's bytes as they come). */
  handOver(): void {
    this.flush();
  }

  /**
   * A binary string as rdbSaveRawString writes it, uncompressed (keys, and values too short to
   * compress): an integer encoding when it spells a small canonical integer, else length + bytes.
   */
  private plainString(s: string): void {
    const c = s.charCodeAt(0);
    if (s.length <= 11 && ((c >= 48 && c <= 57) || c === 45)) {
      this.write(rawStringBytes(s));
      return;
    }
    const n = s.length;
    this.room(n + 5);
    const b = this.buf;
    if (n < 64) b[this.pos++] = n;
    else if (n < 16384) {
      b[this.pos++] = 0x40 | (n >> 8);
      b[this.pos++] = n & 0xff;
    } else {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    }
    this.pos += b.latin1Write(s, this.pos);
  }

  header(aux: readonly [string, string | number][], libraries: readonly string[], version = RDB_FILE_VERSION): void {
    this.write(Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1'));
    for (const [k, v] of aux) {
      this.write([RDB_OPCODE_AUX]);
      this.rawString(k);
      this.rawString(String(v));
    }
    for (const code of libraries) {
      this.write([RDB_OPCODE_FUNCTION2]);
      this.write(encodeString(Buffer.from(code, 'latin1'), false));
    }
  }

  selectDb(id: number, size: number, expires: number): void {
    this.write([RDB_OPCODE_SELECTDB, ...encodeLength(id)]);
    this.write([RDB_OPCODE_RESIZEDB, ...encodeLength(size), ...encodeLength(expires)]);
  }

  /** rdbSaveKeyValuePair. */
  key(k: RdbKey, encode: EncodeValue): void {
    const v = k.value;
    // The common case written in place: a string value too short for LZF, no LRU/LFU opcode.
    if (typeof v === 'string' && v.length <= 20 && k.idle === undefined && k.freq === undefined) {
      if (k.expire !== -1) {
        this.room(9);
        this.buf[this.pos] = RDB_OPCODE_EXPIRETIME_MS;
        this.buf.writeBigInt64LE(BigInt(k.expire), this.pos + 1);
        this.pos += 9;
      }
      this.write([0]);
      this.plainString(k.key);
      this.plainString(v);
      return;
    }
    this.write(this.encodeKey(k, encode));
  }

  /** A key's bytes as key() writes them, for keeping until their database's turn (BGSAVE). */
  encodeKey(k: RdbKey, encode: EncodeValue): Uint8Array {
    const parts: Uint8Array[] = [];
    if (k.expire !== -1) {
      const b = Buffer.alloc(9);
      b[0] = RDB_OPCODE_EXPIRETIME_MS;
      b.writeBigInt64LE(BigInt(k.expire), 1);
      parts.push(b);
    }
    if (k.idle !== undefined) parts.push(Uint8Array.from([RDB_OPCODE_IDLE, ...encodeLength(k.idle)]));
    if (k.freq !== undefined) parts.push(Uint8Array.of(RDB_OPCODE_FREQ, k.freq & 0xff));
    const { type, body } = saveObject(k.value, encode(k.value));
    parts.push(Uint8Array.of(type), rawStringBytes(k.key), body);
    return Buffer.concat(parts);
  }

  /** EOF, the checksum, and the last slice. */
  finish(): void {
    this.write([RDB_OPCODE_EOF]);
    this.flush();
    const sum = Buffer.alloc(8);
    sum.writeBigUInt64LE(this.checksum ? this.crc : 0n, 0);
    if (this.sink) this.sink(sum);
    else writeSync(this.fd, sum);
    this.bytes += 8;
  }

  private rawString(s: string): void {
    this.write(rawStringBytes(s));
  }

  /** The bytes not yet handed to the file (tests). */
  get buffered(): number {
    return this.pos;
  }
}

/** rdbSaveRawString with the integer encoding for short canonical integers. */
function rawStringBytes(s: string): Uint8Array {
  if (s.length <= 11 && /^(0|-?[1-9][0-9]*)$/.test(s)) {
    const v = Number(s);
    if (v >= -128 && v <= 127) return Uint8Array.of(0xc0, v & 0xff);
    if (v >= -32768 && v <= 32767) return Uint8Array.of(0xc1, v & 0xff, (v >> 8) & 0xff);
    if (v >= -2147483648 && v <= 2147483647) return Uint8Array.of(0xc2, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
  }
  return encodeString(Buffer.from(s, 'latin1'), false);
}

/**
 * Writes a whole file through `fill` to a temporary name beside `path`, fsyncs and renames it
 * over `path` (rdbSave). Returns the bytes written; throws on I/O errors (the temp file removed).
 */
export function writeRdbFile(path: string, tempPath: string, checksum: boolean, fill: (w: RdbWriter) => void): number {
  const fd = openSync(tempPath, 'w');
  try {
    const w = new RdbWriter(fd, checksum);
    fill(w);
    w.finish();
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tempPath, path);
    return w.bytes;
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tempPath);
    } catch {
      // never created
    }
    throw e;
  }
}
