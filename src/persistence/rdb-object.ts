// One value in Redis's RDB object format (rdb.c rdbSaveObject / rdbLoadObject): what DUMP writes
// and RESTORE reads, and what an RDB file holds per key. Values are written in the encoding
// OBJECT ENCODING reports, as Redis writes them: strings as integers when they spell one (<= 11
// chars), else raw or LZF; lists as quicklist nodes of listpacks; small sets as intsets or
// listpacks, small hashes and sorted sets as listpacks, big ones element by element; streams as
// their listpack nodes, counters and consumer groups. Reading accepts every type Redis 7.x writes
// (the ziplist and zipmap types of Redis < 7 are refused as bad data).
import type { Config } from '../config/config.js';
import { RedisHash } from '../data/hash.js';
import type { Value } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import { Listpack } from '../data/listpack.js';
import { RedisSet } from '../data/set.js';
import { RedisStream } from '../data/stream.js';
import { StreamConsumer, StreamGroup, type Nack } from '../data/stream-group.js';
import type { StreamID } from '../data/stream-id.js';
import { RedisZset } from '../data/zset.js';
import { d2string } from '../protocol/fpconv.js';
import { string2d } from '../util/numbers.js';
import { encodeLength, encodeString, RdbReader } from './rdb-encoding.js';

export const RDB_TYPE_STRING = 0;
const RDB_TYPE_LIST = 1;
const RDB_TYPE_SET = 2;
const RDB_TYPE_ZSET = 3;
const RDB_TYPE_HASH = 4;
const RDB_TYPE_ZSET_2 = 5;
const RDB_TYPE_SET_INTSET = 11;
const RDB_TYPE_STREAM_LISTPACKS = 15;
const RDB_TYPE_HASH_LISTPACK = 16;
const RDB_TYPE_ZSET_LISTPACK = 17;
const RDB_TYPE_LIST_QUICKLIST_2 = 18;
const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
const RDB_TYPE_SET_LISTPACK = 20;
const RDB_TYPE_STREAM_LISTPACKS_3 = 21;
const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
const QUICKLIST_NODE_CONTAINER_PACKED = 2;

const latin1 = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);
const text = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** Bytes appended piece by piece. */
class Out {
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
  ms(n: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(Math.trunc(n)), 0);
    this.bytes(b);
  }
  done(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

function listpackOf(items: Iterable<string | Uint8Array>): Listpack {
  const lp = new Listpack(256);
  for (const s of items) lp.appendString(typeof s === 'string' ? s : text(s));
  return lp;
}

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
   * 11 (Redis 7.2, DUMP's default) or 10 (Redis 7.0): RDB files are written as version 10 so that
   * Redis 7.0 loads them; a listpack set is then written as a plain set and a stream without its
   * consumers' active times (RDB_TYPE_STREAM_LISTPACKS_2).
   */
  rdbVersion?: 10 | 11;
}

/** rdbSaveObjectType + rdbSaveObject: the type byte and the value's bytes. */
export function saveObject(v: Value, opts: SaveOptions): { type: number; body: Uint8Array } {
  const compress = opts.compress;
  const o = new Out();
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
    // RDB 11 has no place for field deadlines (7.4's RDB 12 types 24 and 25): a listpackex goes
    // as the listpack it would be without them.
    if (enc === 'listpack' || enc === 'listpackex') {
      const items: string[] = [];
      for (const e of v.entries()) items.push(e.key, e.value);
      o.str(listpackOf(items).bytes(), compress);
      return { type: RDB_TYPE_HASH_LISTPACK, body: o.done() };
    }
    o.len(v.size);
    for (const e of v.entries()) {
      o.str(e.key, compress);
      o.str(e.value, compress);
    }
    return { type: RDB_TYPE_HASH, body: o.done() };
  }
  const v10 = opts.rdbVersion === 10;
  saveStream(o, v, compress, v10);
  return { type: v10 ? RDB_TYPE_STREAM_LISTPACKS_2 : RDB_TYPE_STREAM_LISTPACKS_3, body: o.done() };
}

function saveStream(o: Out, s: RedisStream, compress: boolean, v10: boolean): void {
  o.len(s.nodes.length);
  for (const n of s.nodes) {
    o.str(o.id128(n.master), false);
    o.str(n.lp.bytes(), compress);
  }
  o.len(s.length);
  o.len64(s.lastId.ms);
  o.len64(s.lastId.seq);
  o.len64(s.firstId.ms);
  o.len64(s.firstId.seq);
  o.len64(s.maxDeletedId.ms);
  o.len64(s.maxDeletedId.seq);
  o.len(s.entriesAdded);
  const groups = [...(s.groups ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  o.len(groups.length);
  for (const [name, g] of groups) {
    o.str(name, false);
    o.len64(g.lastId.ms);
    o.len64(g.lastId.seq);
    o.len64(BigInt.asUintN(64, BigInt(g.entriesRead)));
    o.len(g.pel.size);
    for (let i = 0; i < g.pel.size; i++) {
      o.bytes(o.id128(g.pel.ids[i]!));
      o.ms(g.pel.vals[i]!.deliveryTime);
      o.len(g.pel.vals[i]!.deliveryCount);
    }
    const consumers = g.sortedConsumers();
    o.len(consumers.length);
    for (const c of consumers) {
      o.str(c.name, false);
      o.ms(c.seenTime);
      if (!v10) o.ms(c.activeTime);
      o.len(c.pel.size);
      for (const id of c.pel.ids) o.bytes(o.id128(id));
    }
  }
}

// ---- loading ------------------------------------------------------------------------------------

/** Reads a listpack blob's elements as strings; undefined if it is malformed. */
function listpackItems(blob: Uint8Array): string[] | undefined {
  if (blob.length < 7 || Buffer.from(blob.buffer, blob.byteOffset, 4).readUInt32LE(0) !== blob.length || blob[blob.length - 1] !== 0xff) return undefined;
  const lp = new Listpack(0, blob);
  const out: string[] = [];
  for (let p = lp.first(); p >= 0; p = lp.next(p)) out.push(lp.getString(p));
  return out;
}

/** A score as strtod reads it ("inf", "-inf" included); NaN when it is not a number. */
function strtod(s: string): number {
  const v = string2d(s);
  return v === undefined ? NaN : v;
}

function id128(b: Uint8Array): StreamID | undefined {
  if (b.length !== 16) return undefined;
  const buf = Buffer.from(b.buffer, b.byteOffset, 16);
  return { ms: buf.readBigUInt64BE(0), seq: buf.readBigUInt64BE(8) };
}

/** rdbLoadObject: the value of an object of `type`, or undefined for bad or unsupported data. */
export function loadObject(type: number, r: RdbReader, now: number): Value | undefined {
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
      return l.length ? l : undefined;
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
      return l.length ? l : undefined;
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
      return s.size ? s : undefined;
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
      return z.size ? z : undefined;
    }
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_LISTPACK: {
      const h = new RedisHash();
      let pairs: string[];
      if (type === RDB_TYPE_HASH_LISTPACK) {
        const blob = r.string();
        const items = blob && listpackItems(blob);
        if (!items || items.length % 2) return undefined;
        pairs = items;
      } else {
        const n = r.length();
        if (!n) return undefined;
        pairs = [];
        for (let i = 0; i < 2 * n[0]; i++) {
          const s = str();
          if (s === undefined) return undefined;
          pairs.push(s);
        }
      }
      h.sizeHint(pairs.length / 2);
      for (let i = 0; i < pairs.length; i += 2) if (!h.set(pairs[i]!, pairs[i + 1]!)) return undefined;
      return h.size ? h : undefined;
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      return loadStream(type, r, now);
    default:
      return undefined;
  }
}

function loadStream(type: number, r: RdbReader, now: number): RedisStream | undefined {
  const s = new RedisStream();
  const u64 = (): bigint | undefined => {
    const b = r.byte();
    if (b === undefined) return undefined;
    if (b === 0x81) {
      if (r.pos + 8 > r.data.length) return undefined;
      const v = Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigUInt64BE(0);
      r.pos += 8;
      return v;
    }
    r.pos--;
    const l = r.length();
    return l && !l[1] ? BigInt(l[0]) : undefined;
  };
  const n = r.length();
  if (!n) return undefined;
  for (let i = 0; i < n[0]; i++) {
    const key = r.string();
    const blob = r.string();
    const master = key && id128(key);
    if (!master || !blob || !listpackItems(blob)) return undefined;
    s.nodes.push({ master, lp: new Listpack(0, blob) });
  }
  const length = u64();
  const lastMs = u64();
  const lastSeq = u64();
  if (length === undefined || lastMs === undefined || lastSeq === undefined) return undefined;
  s.length = Number(length);
  s.lastId = { ms: lastMs, seq: lastSeq };
  if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
    const fm = u64();
    const fs = u64();
    const dm = u64();
    const ds = u64();
    const added = u64();
    if (fm === undefined || fs === undefined || dm === undefined || ds === undefined || added === undefined) return undefined;
    s.firstId = { ms: fm, seq: fs };
    s.maxDeletedId = { ms: dm, seq: ds };
    s.entriesAdded = Number(added);
  } else {
    s.entriesAdded = s.length;
    s.firstId = s.length ? s.edgeId(true) : { ms: 0n, seq: 0n };
  }
  const ngroups = r.length();
  if (!ngroups) return undefined;
  for (let g = 0; g < ngroups[0]; g++) {
    const name = r.string();
    const ms = u64();
    const seq = u64();
    if (!name || ms === undefined || seq === undefined) return undefined;
    let entriesRead = -1;
    if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
      const er = u64();
      if (er === undefined) return undefined;
      entriesRead = Number(BigInt.asIntN(64, er));
    }
    const group = new StreamGroup({ ms, seq }, entriesRead);
    s.groups ??= new Map();
    if (s.groups.has(text(name))) return undefined;
    s.groups.set(text(name), group);
    const pel = r.length();
    if (!pel) return undefined;
    const nacks = new Map<string, { id: StreamID; nack: Nack }>();
    const orphan = new StreamConsumer('', now);
    for (let i = 0; i < pel[0]; i++) {
      if (r.pos + 24 > r.data.length) return undefined;
      const id = id128(r.data.subarray(r.pos, r.pos + 16))!;
      const time = Number(Buffer.from(r.data.buffer, r.data.byteOffset + r.pos + 16, 8).readBigInt64LE(0));
      r.pos += 24;
      const count = r.length();
      if (!count) return undefined;
      const nack: Nack = { deliveryTime: time, deliveryCount: count[0], consumer: orphan };
      group.pel.set(id, nack);
      nacks.set(`${id.ms}-${id.seq}`, { id, nack });
    }
    const nconsumers = r.length();
    if (!nconsumers) return undefined;
    for (let c = 0; c < nconsumers[0]; c++) {
      const cname = r.string();
      if (!cname || r.pos + 8 > r.data.length) return undefined;
      const seen = Number(Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigInt64LE(0));
      r.pos += 8;
      let active = seen;
      if (type >= RDB_TYPE_STREAM_LISTPACKS_3) {
        if (r.pos + 8 > r.data.length) return undefined;
        active = Number(Buffer.from(r.data.buffer, r.data.byteOffset + r.pos, 8).readBigInt64LE(0));
        r.pos += 8;
      }
      const consumer = new StreamConsumer(text(cname), seen, active);
      group.consumers.set(consumer.name, consumer);
      const cpel = r.length();
      if (!cpel) return undefined;
      for (let i = 0; i < cpel[0]; i++) {
        if (r.pos + 16 > r.data.length) return undefined;
        const id = id128(r.data.subarray(r.pos, r.pos + 16))!;
        r.pos += 16;
        const found = nacks.get(`${id.ms}-${id.seq}`);
        if (!found) return undefined;
        found.nack.consumer = consumer;
        consumer.pel.set(id, found.nack);
      }
    }
    // Every pending entry must belong to a consumer (Redis refuses the payload otherwise).
    for (const { nack } of nacks.values()) if (nack.consumer === orphan) return undefined;
  }
  return s;
}

