// Hashes in RDB (rdb.c), with Redis 7.4's field deadlines: a listpack (16) or field/value pairs
// (4) for a hash without them; RDB 12's listpackex (25: the earliest deadline, 8 bytes, then a
// listpack of field, value, deadline triplets in listpackex order, 0 for none) and hash with
// metadata (24: the earliest deadline, then per field its deadline relative to it plus one, 0 for
// none, the field and the value), and the 7.4 release candidates' 23 (25 without the leading
// deadline) and 22 (24 with absolute deadlines). Deadlines already past load as they are: the
// field expiry (lazy or active) deletes them, as Redis does after loading.
import type { Config } from '../config/config.js';
import { RedisHash } from '../data/hash.js';
import { Listpack, lpStringToInt } from '../data/listpack.js';
import type { RdbReader } from './rdb-encoding.js';
import { EMPTY_KEY, listpackBlob, RdbOut, text } from './rdb-out.js';

export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_HASH_METADATA_PRE_GA = 22;
export const RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23;
export const RDB_TYPE_HASH_METADATA = 24;
export const RDB_TYPE_HASH_LISTPACK_EX = 25;
/** ebuckets.h: the latest deadline a field may have (48 bits), and the "none" marker above it. */
const EB_EXPIRE_TIME_MAX = 2 ** 48 - 1;
const EB_EXPIRE_TIME_INVALID = 2 ** 48;

export function isHashType(type: number): boolean {
  return type === RDB_TYPE_HASH || type === RDB_TYPE_HASH_LISTPACK || (type >= RDB_TYPE_HASH_METADATA_PRE_GA && type <= RDB_TYPE_HASH_LISTPACK_EX);
}

/**
 * True when Redis 7.4 writes this hash with an RDB 12 type (rdbSaveObjectType): a listpackex,
 * even with no deadline left, or a hash table holding at least one field deadline.
 */
export function hashNeedsRdb12(h: RedisHash, encoding: string): boolean {
  return encoding === 'listpackex' || (h.ttls !== null && h.ttls.size > 0);
}

/**
 * rdbSaveObjectType + rdbSaveObject for a hash. Below RDB 12 there is no place for deadlines:
 * a listpackex goes as the listpack it would be without them (only files written for Redis 7.0
 * and DUMPs asked for 11 get there; see hashNeedsRdb12).
 */
export function saveHash(o: RdbOut, h: RedisHash, encoding: string, config: Config, compress: boolean, rdbVersion: number): number {
  const ttls = h.ttls;
  if (encoding === 'listpack' || encoding === 'listpackex') {
    const lp = new RdbListpack();
    if (encoding === 'listpackex' && rdbVersion >= 12) {
      // 7.4 writes hashTypeGetMinExpire(o, 0), the deadline the hash is registered under (0 when
      // none), which it updates lazily after HDEL/HPERSIST; respd writes the true earliest. It is
      // a hint only: loaders, 7.4's included, ignore it.
      o.ms(ttls !== null && ttls.size > 0 ? ttls.minExpire() : 0);
      for (const e of h.ordered(config)) lp.triplet(e.key, e.value, ttls?.get(e.key) ?? 0);
      o.str(lp.done(), compress);
      return RDB_TYPE_HASH_LISTPACK_EX;
    }
    for (const e of h.entries()) lp.pair(e.key, e.value);
    o.str(lp.done(), compress);
    return RDB_TYPE_HASH_LISTPACK;
  }
  const withTtls = rdbVersion >= 12 && ttls !== null && ttls.size > 0;
  const min = withTtls ? ttls.minExpire() : 0;
  if (withTtls) o.ms(min);
  o.len(h.size);
  for (const e of h.entries()) {
    if (withTtls) {
      const t = ttls.get(e.key);
      o.len(t === undefined ? 0 : t - min + 1);
    }
    o.str(e.key, compress);
    o.str(e.value, compress);
  }
  return withTtls ? RDB_TYPE_HASH_METADATA : RDB_TYPE_HASH;
}

/** A listpack of hash entries: field/value pairs, or field/value/deadline triplets. */
class RdbListpack {
  private readonly lp = new Listpack(256);
  pair(f: string, v: string): void {
    this.lp.appendString(f);
    this.lp.appendString(v);
  }
  triplet(f: string, v: string, ttl: number): void {
    this.pair(f, v);
    this.lp.appendInt(ttl);
  }
  done(): Uint8Array {
    return this.lp.bytes();
  }
}

/** An 8-byte little-endian millisecond time (rdbLoadMillisecondTime), as a number when it fits 2^53. */
function readMs(r: RdbReader): number | undefined {
  if (r.pos + 8 > r.data.length) return undefined;
  const v = Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigUInt64LE(0);
  r.pos += 8;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
}

/** rdbLoadObject for the hash types: the hash, EMPTY_KEY, or undefined for bad data. */
export function loadHash(type: number, r: RdbReader): RedisHash | typeof EMPTY_KEY | undefined {
  const h = new RedisHash();
  if (type === RDB_TYPE_HASH_LISTPACK || type === RDB_TYPE_HASH_LISTPACK_EX || type === RDB_TYPE_HASH_LISTPACK_EX_PRE_GA) {
    // The leading earliest deadline is only a hint kept for later use (Redis ignores it too).
    if (type === RDB_TYPE_HASH_LISTPACK_EX && readMs(r) === undefined) return undefined;
    const blob = r.string();
    const lp = blob && listpackBlob(blob);
    if (!lp) return undefined;
    const items: string[] = [];
    for (let p = lp.first(); p >= 0; p = lp.next(p)) items.push(lp.getString(p));
    if (type === RDB_TYPE_HASH_LISTPACK) {
      if (items.length % 2) return undefined;
      h.sizeHint(items.length / 2);
      for (let i = 0; i < items.length; i += 2) if (!h.set(items[i]!, items[i + 1]!)) return undefined;
      return h.size ? h : EMPTY_KEY;
    }
    // Triplets, checked as lpValidateIntegrityAndDups does with tuple_len 3: a deadline is an
    // integer in [0, EB_EXPIRE_TIME_MAX], and those that are not 0 come first, in order.
    if (items.length % 3) return undefined;
    const timed: [string, number][] = [];
    let last = -1;
    h.sizeHint(items.length / 3);
    for (let i = 0; i < items.length; i += 3) {
      const t = lpStringToInt(items[i + 2]!);
      if (t === undefined || typeof t === 'bigint' || t < 0 || t > EB_EXPIRE_TIME_MAX) return undefined;
      if (t !== 0 && (last === 0 || t < last)) return undefined;
      last = t;
      if (!h.set(items[i]!, items[i + 1]!)) return undefined;
      if (t !== 0) timed.push([items[i]!, t]);
    }
    if (!h.size) return EMPTY_KEY;
    // Deadlines given last field first: FieldTtls puts a field given a deadline before those with
    // the same one, so the listpack's order comes back as it was.
    const ttls = h.enableTtls();
    for (let i = timed.length - 1; i >= 0; i--) ttls.set(timed[i]![0], timed[i]![1]);
    return h;
  }
  let min = 0;
  if (type === RDB_TYPE_HASH_METADATA) {
    const m = readMs(r);
    if (m === undefined || m > EB_EXPIRE_TIME_INVALID) return undefined;
    min = m;
  }
  const n = r.length();
  if (!n || n[1]) return undefined;
  h.sizeHint(n[0]);
  const withTtls = type !== RDB_TYPE_HASH;
  const ttls = withTtls ? h.enableTtls() : null;
  for (let i = 0; i < n[0]; i++) {
    let at = 0;
    if (withTtls) {
      const t = r.length();
      if (!t || t[1]) return undefined;
      at = type === RDB_TYPE_HASH_METADATA && t[0] !== 0 ? t[0] + min - 1 : t[0];
      if (at > EB_EXPIRE_TIME_MAX) return undefined;
    }
    const f = r.string();
    const v = r.string();
    if (!f || !v) return undefined;
    const field = text(f);
    if (!h.set(field, text(v))) return undefined;
    // listpackExAddNew / ebAdd: in the order read, each before those with the same deadline.
    if (at !== 0) ttls!.set(field, at);
  }
  return h.size ? h : EMPTY_KEY;
}
