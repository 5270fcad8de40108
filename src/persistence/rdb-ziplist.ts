// The encodings of files written before Redis 7 (RDB 2 to 9), which Redis 7 still loads and
// converts on the way in (rdbLoadObject): zipmap hashes (9), ziplist lists (10), sorted sets (12)
// and hashes (13), and quicklists of ziplist nodes (14). Each blob is read into its strings and
// the value built as a listpack-era value would be; OBJECT ENCODING then follows the limits.
import { RedisHash } from '../data/hash.js';
import type { Value } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import { RedisZset } from '../data/zset.js';
import { string2d } from '../util/numbers.js';
import type { RdbReader } from './rdb-encoding.js';
import { EMPTY_KEY } from './rdb-out.js';

export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;

export function isZiplistType(type: number): boolean {
  return type === RDB_TYPE_HASH_ZIPMAP || type === RDB_TYPE_LIST_ZIPLIST || (type >= RDB_TYPE_ZSET_ZIPLIST && type <= RDB_TYPE_LIST_QUICKLIST);
}

/**
 * A ziplist's entries as strings (ziplist.c): zlbytes, zltail, zllen, then per entry its previous
 * entry's length (1 or 5 bytes), an encoding (strings of 6, 14 or 32-bit length; integers of 8,
 * 16, 24, 32 or 64 bits, or 0 to 12 in the encoding byte) and the data; 0xff ends it.
 */
export function ziplistItems(blob: Uint8Array): string[] | undefined {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < 11 || b.readUInt32LE(0) !== b.length || b[b.length - 1] !== 0xff) return undefined;
  const out: string[] = [];
  let p = 10;
  // Each entry's prevlen must be the size of the one before, and zltail the last one's offset.
  let prev = -1;
  while (p < b.length - 1) {
    const start = p;
    const prevlen = b[p]! < 254 ? b[p]! : p + 5 <= b.length ? b.readUInt32LE(p + 1) : -1;
    if (prevlen !== (prev < 0 ? 0 : start - prev)) return undefined;
    prev = start;
    p += b[p]! < 254 ? 1 : 5;
    if (p >= b.length - 1) return undefined;
    const enc = b[p]!;
    const kind = enc >> 6;
    if (kind !== 3) {
      let len: number;
      if (kind === 0) {
        len = enc & 0x3f;
        p += 1;
      } else if (kind === 1) {
        len = ((enc & 0x3f) << 8) | b[p + 1]!;
        p += 2;
      } else {
        if (p + 5 > b.length) return undefined;
        len = b.readUInt32BE(p + 1);
        p += 5;
      }
      if (p + len > b.length - 1) return undefined;
      out.push(b.toString('latin1', p, p + len));
      p += len;
      continue;
    }
    const width = enc === 0xc0 ? 2 : enc === 0xd0 ? 4 : enc === 0xe0 ? 8 : enc === 0xf0 ? 3 : enc === 0xfe ? 1 : 0;
    if (width === 0) {
      // 1111xxxx: an immediate 0..12 (xxxx from 0001 to 1101).
      if (enc < 0xf1 || enc > 0xfd) return undefined;
      out.push(String((enc & 0x0f) - 1));
      p += 1;
      continue;
    }
    if (p + 1 + width > b.length - 1) return undefined;
    const v = width === 8 ? b.readBigInt64LE(p + 1) : b.readIntLE(p + 1, width);
    out.push(String(v));
    p += 1 + width;
  }
  if (b.readUInt32LE(4) !== (prev < 0 ? 10 : prev) || b.readUInt16LE(8) !== (out.length < 0xffff ? out.length : 0xffff)) return undefined;
  return p === b.length - 1 ? out : undefined;
}

/** A zipmap's field/value pairs (zipmap.c): lengths of 1 byte or 254 + 4 bytes, a free byte before each value. */
export function zipmapPairs(blob: Uint8Array): string[] | undefined {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const out: string[] = [];
  let p = 1;
  const len = (): number | undefined => {
    if (p >= b.length) return undefined;
    const l = b[p]!;
    if (l < 254) {
      p += 1;
      return l;
    }
    if (l === 255 || p + 5 > b.length) return undefined;
    const v = b.readUInt32LE(p + 1);
    p += 5;
    return v;
  };
  while (p < b.length && b[p] !== 0xff) {
    const kl = len();
    if (kl === undefined || p + kl > b.length) return undefined;
    const key = b.toString('latin1', p, p + kl);
    p += kl;
    const vl = len();
    if (vl === undefined || p + 1 + vl > b.length) return undefined;
    const free = b[p]!;
    p += 1;
    out.push(key, b.toString('latin1', p, p + vl));
    p += vl + free;
  }
  return p === b.length - 1 ? out : undefined;
}

/** rdbLoadObject for the pre-7 types: the value, EMPTY_KEY, or undefined for bad data. */
export function loadZiplistType(type: number, r: RdbReader): Value | typeof EMPTY_KEY | undefined {
  if (type === RDB_TYPE_LIST_QUICKLIST) {
    const n = r.length();
    if (!n || n[1]) return undefined;
    const l = new RedisList();
    for (let i = 0; i < n[0]; i++) {
      const blob = r.string();
      const items = blob && ziplistItems(blob);
      if (!items) return undefined;
      for (const s of items) l.pushTail(s);
    }
    return l.length ? l : EMPTY_KEY;
  }
  const blob = r.string();
  if (!blob) return undefined;
  const items = type === RDB_TYPE_HASH_ZIPMAP ? zipmapPairs(blob) : ziplistItems(blob);
  if (!items) return undefined;
  if (!items.length) return EMPTY_KEY;
  if (type === RDB_TYPE_LIST_ZIPLIST) {
    const l = new RedisList();
    for (const s of items) l.pushTail(s);
    return l;
  }
  if (items.length % 2) return undefined;
  if (type === RDB_TYPE_ZSET_ZIPLIST) {
    const z = new RedisZset();
    z.sizeHint(items.length / 2);
    for (let i = 0; i < items.length; i += 2) {
      const score = string2d(items[i + 1]!);
      if (score === undefined || Number.isNaN(score) || z.score(items[i]!) !== undefined) return undefined;
      z.insert(items[i]!, score);
    }
    return z;
  }
  const h = new RedisHash();
  h.sizeHint(items.length / 2);
  for (let i = 0; i < items.length; i += 2) if (!h.set(items[i]!, items[i + 1]!)) return undefined;
  return h;
}
