// One value in Redis's RDB object format (rdb.c rdbSaveObject / rdbLoadObject): what DUMP writes
// and RESTORE reads, and what an RDB file holds per key. Values are written in the encoding
// OBJECT ENCODING reports, as Redis writes them: strings as integers when they spell one (<= 11
// chars), else raw or LZF; lists as quicklist nodes of listpacks; small sets as intsets or
// listpacks, small sorted sets as listpacks, big ones element by element; hashes in rdb-hash.ts
// (with Redis 7.4's field deadlines), streams in rdb-stream.ts. Reading accepts every type Redis
// 7.4 reads, the ziplist and zipmap types of files before Redis 7 included (rdb-ziplist.ts).
import type { Config } from '../config/config.js';
import { RedisHash } from '../data/hash.js';
import type { Value } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import { Listpack } from '../data/listpack.js';
import { RedisSet } from '../data/set.js';
import { RedisZset } from '../data/zset.js';
import { d2string } from '../protocol/fpconv.js';
import { string2d } from '../util/numbers.js';
import type { RdbReader } from './rdb-encoding.js';
import { isHashType, loadHash, saveHash } from './rdb-hash.js';
import { EMPTY_KEY, listpackItems, listpackOf, RdbOut, text } from './rdb-out.js';
import { isZiplistType, loadZiplistType } from './rdb-ziplist.js';
import { loadStream, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_STREAM_LISTPACKS_3, saveStream } from './rdb-stream.js';

export const RDB_TYPE_STRING = 0;
const RDB_TYPE_LIST = 1;
const RDB_TYPE_SET = 2;
const RDB_TYPE_ZSET = 3;
const RDB_TYPE_ZSET_2 = 5;
const RDB_TYPE_SET_INTSET = 11;
const RDB_TYPE_ZSET_LISTPACK = 17;
const RDB_TYPE_LIST_QUICKLIST_2 = 18;
const RDB_TYPE_SET_LISTPACK = 20;
const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
const QUICKLIST_NODE_CONTAINER_PACKED = 2;

/** The list cut into quicklist nodes of `counts` elements each, as listpacks. */
function quicklistNodes(list: RedisList, counts: readonly number[]): Listpack[] {
  const nodes: Listpack[] = [];
  let i = 0;
  for (const n of counts) {
    const lp = new Listpack(256);
    for (let k = 0; k < n && i < list.length; k++, i++) {
      const v = list.at(i);
      lp.appendString(typeof v === 'string' ? v : text(v));
    }
    nodes.push(lp);
  }
  return nodes;
}

/** The intset blob of integer members: encoding width, length, values sorted, little endian. */
function intsetBlob(members: readonly string[]): Uint8Array {
  const vals = members.map((m) => BigInt(m)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let width = 2;
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const b = Buffer.alloc(8 + width * vals.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(vals.length, 4);
  vals.forEach((v, i) => {
    if (width === 2) b.writeInt16LE(Number(v), 8 + 2 * i);
    else if (width === 4) b.writeInt32LE(Number(v), 8 + 4 * i);
    else b.writeBigInt64LE(v, 8 + 8 * i);
  });
  return b;
}

/** How to write a value: its OBJECT ENCODING, a list's quicklist node sizes, LZF or not. */
export interface SaveOptions {
  config: Config;
  encoding: string;
  /** Elements per quicklist node, as list-max-listpack-size cuts the list. */
  listNodes?: readonly number[];
  compress: boolean;
  /**
   * 11 (Redis 7.2, DUMP's default), 10 (Redis 7.0) or 12 (Redis 7.4). RDB files are written as
   * version 10 so that Redis 7.0 loads them, a listpack set then written as a plain set and a
   * stream without its consumers' active times (RDB_TYPE_STREAM_LISTPACKS_2); only 12 has the
   * hash types with field deadlines (rdb-hash.ts).
   */
  rdbVersion?: 10 | 11 | 12;
}

/** rdbSaveObjectType + rdbSaveObject: the type byte and the value's bytes. */
export function saveObject(v: Value, opts: SaveOptions): { type: number; body: Uint8Array } {
  const compress = opts.compress;
  const o = new RdbOut();
  if (typeof v === 'string' || v instanceof Uint8Array) {
    o.str(v, compress);
    return { type: RDB_TYPE_STRING, body: o.done() };
  }
  if (v instanceof RedisList) {
    const nodes = quicklistNodes(v, opts.listNodes ?? [v.length]);
    o.len(nodes.length);
    for (const lp of nodes) {
      o.len(QUICKLIST_NODE_CONTAINER_PACKED);
      o.str(lp.bytes(), compress);
    }
    return { type: RDB_TYPE_LIST_QUICKLIST_2, body: o.done() };
  }
  const enc = opts.encoding;
  if (v instanceof RedisSet) {
    const members = v.members(opts.config);
    if (enc === 'intset') {
      o.str(intsetBlob(members), compress);
      return { type: RDB_TYPE_SET_INTSET, body: o.done() };
    }
    if (enc === 'listpack' && opts.rdbVersion !== 10) {
      o.str(listpackOf(members).bytes(), compress);
      return { type: RDB_TYPE_SET_LISTPACK, body: o.done() };
    }
    o.len(members.length);
    for (const m of members) o.str(m, compress);
    return { type: RDB_TYPE_SET, body: o.done() };
  }
  if (v instanceof RedisZset) {
    if (enc === 'listpack') {
      const items: string[] = [];
      for (let id = v.first; id >= 0; id = v.next(id)) items.push(v.memberOf(id), d2string(v.scoreOf(id)));
      o.str(listpackOf(items).bytes(), compress);
      return { type: RDB_TYPE_ZSET_LISTPACK, body: o.done() };
    }
    // From the tail, so that loading inserts each member at the head (rdbSaveObject).
    o.len(v.size);
    const score = Buffer.alloc(8);
    for (let id = v.last; id >= 0; id = v.prev(id)) {
      o.str(v.memberOf(id), compress);
      score.writeDoubleLE(v.scoreOf(id), 0);
      o.bytes(Buffer.from(score));
    }
    return { type: RDB_TYPE_ZSET_2, body: o.done() };
  }
  if (v instanceof RedisHash) {
    const type = saveHash(o, v, enc, opts.config, compress, opts.rdbVersion ?? 11);
    return { type, body: o.done() };
  }
  const v10 = opts.rdbVersion === 10;
  saveStream(o, v, compress, v10);
  return { type: v10 ? RDB_TYPE_STREAM_LISTPACKS_2 : RDB_TYPE_STREAM_LISTPACKS_3, body: o.done() };
}

// ---- loading ------------------------------------------------------------------------------------

/** A score as strtod reads it ("inf", "-inf" included); NaN when it is not a number. */
function strtod(s: string): number {
  const v = string2d(s);
  return v === undefined ? NaN : v;
}

/** rdbLoadObject: the value of an object of `type`, EMPTY_KEY, or undefined for bad or unsupported data. */
export function loadObject(type: number, r: RdbReader, now: number): Value | typeof EMPTY_KEY | undefined {
  const str = (): string | undefined => {
    const b = r.string();
    return b && text(b);
  };
  switch (type) {
    case RDB_TYPE_STRING: {
      const b = r.string();
      if (!b) return undefined;
      return b.length <= 4096 ? text(b) : Buffer.from(b);
    }
    case RDB_TYPE_LIST: {
      const n = r.length();
      if (!n || n[1]) return undefined;
      const l = new RedisList();
      for (let i = 0; i < n[0]; i++) {
        const s = str();
        if (s === undefined) return undefined;
        l.pushTail(s);
      }
      return l.length ? l : EMPTY_KEY;
    }
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const n = r.length();
      if (!n) return undefined;
      const l = new RedisList();
      for (let i = 0; i < n[0]; i++) {
        const container = r.length();
        const blob = r.string();
        if (!container || !blob) return undefined;
        if (container[0] === QUICKLIST_NODE_CONTAINER_PLAIN) l.pushTail(text(blob));
        else if (container[0] === QUICKLIST_NODE_CONTAINER_PACKED) {
          const items = listpackItems(blob);
          if (!items) return undefined;
          for (const s of items) l.pushTail(s);
        } else return undefined;
      }
      return l.length ? l : EMPTY_KEY;
    }
    case RDB_TYPE_SET:
    case RDB_TYPE_SET_INTSET:
    case RDB_TYPE_SET_LISTPACK: {
      let members: string[];
      if (type === RDB_TYPE_SET) {
        const n = r.length();
        if (!n) return undefined;
        members = [];
        for (let i = 0; i < n[0]; i++) {
          const s = str();
          if (s === undefined) return undefined;
          members.push(s);
        }
      } else if (type === RDB_TYPE_SET_INTSET) {
        const blob = r.string();
        if (!blob || blob.length < 8) return undefined;
        const b = Buffer.from(blob);
        const width = b.readUInt32LE(0);
        const count = b.readUInt32LE(4);
        if ((width !== 2 && width !== 4 && width !== 8) || b.length !== 8 + width * count) return undefined;
        members = [];
        for (let i = 0; i < count; i++) {
          const at = 8 + width * i;
          members.push(String(width === 2 ? b.readInt16LE(at) : width === 4 ? b.readInt32LE(at) : b.readBigInt64LE(at)));
        }
      } else {
        const items = r.string();
        const m = items && listpackItems(items);
        if (!m) return undefined;
        members = m;
      }
      const s = new RedisSet();
      s.sizeHint(members.length);
      for (const m of members) if (!s.add(m)) return undefined;
      return s.size ? s : EMPTY_KEY;
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
    case RDB_TYPE_ZSET_LISTPACK: {
      const z = new RedisZset();
      if (type === RDB_TYPE_ZSET_LISTPACK) {
        const blob = r.string();
        const items = blob && listpackItems(blob);
        if (!items || items.length % 2) return undefined;
        z.sizeHint(items.length / 2);
        for (let i = 0; i < items.length; i += 2) {
          const score = strtod(items[i + 1]!);
          if (Number.isNaN(score) || z.score(items[i]!) !== undefined) return undefined;
          z.insert(items[i]!, score);
        }
      } else {
        const n = r.length();
        if (!n) return undefined;
        z.sizeHint(n[0]);
        for (let i = 0; i < n[0]; i++) {
          const m = str();
          if (m === undefined) return undefined;
          let score: number;
          if (type === RDB_TYPE_ZSET_2) {
            if (r.pos + 8 > r.data.length) return undefined;
            score = Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readDoubleLE(0);
            r.pos += 8;
          } else {
            const l = r.byte();
            if (l === undefined) return undefined;
            const special = l === 253 ? NaN : l === 254 ? Infinity : l === 255 ? -Infinity : undefined;
            if (special !== undefined) score = special;
            else {
              if (r.pos + l > r.data.length) return undefined;
              score = strtod(text(r.data.subarray(r.pos, r.pos + l)));
              r.pos += l;
            }
          }
          if (Number.isNaN(score) || z.score(m) !== undefined) return undefined;
          z.insert(m, score);
        }
      }
      return z.size ? z : EMPTY_KEY;
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      return loadStream(type, r, now);
    default:
      if (isHashType(type)) return loadHash(type, r);
      return isZiplistType(type) ? loadZiplistType(type, r) : undefined;
  }
}

