// DEBUG subcommands that look at or fill the keyspace: OBJECT, POPULATE, DIGEST, DIGEST-VALUE,
// HTSTATS, HTSTATS-KEY, LISTPACK, QUICKLIST, QUICKLIST-PACKED-THRESHOLD (debug.c). respd's values
// are not Redis's structures, so the low-level figures come from a model of the encoding OBJECT
// ENCODING reports (listpack, intset, quicklist nodes), computed from the contents.
import { datasetDigest, valueDigest } from '../data/digest.js';
import { RedisHash } from '../data/hash.js';
import { Lookup, type Db, type Value } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import type { RedisString } from '../data/string.js';
import { RedisSet } from '../data/set.js';
import { RedisStream } from '../data/stream.js';
import { RedisZset } from '../data/zset.js';
import { hashNeedsRdb12 } from '../persistence/rdb-hash.js';
import { saveObject } from '../persistence/rdb-object.js';
import { LISTPACK_SIZE_LIMITS, SIZE_SAFETY_LIMIT, listpackEntrySize, objectEncoding, stringEncoding } from './object.js';
import type { CommandCall } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_NO_SUCH_KEY, ERR_POSITIVE } from '../util/errors.js';
import { memtoull, parseInteger } from '../util/numbers.js';

const NO_SUCH_KEY = ERR_NO_SUCH_KEY;

function currentDb(call: CommandCall): Db {
  return call.server.keyspace.dbs[call.client.db]!;
}

/** The stored value, expired or not (debug.c uses dbFind), or the "no such key" error. */
function findOrReply(call: CommandCall, key: string): Value | undefined {
  const v = currentDb(call).rawValue(key);
  if (v === undefined) call.reply.error(NO_SUCH_KEY);
  return v;
}

// ---- encoding models --------------------------------------------------------------------------

/** rdbSaveLen's size for a length. */
function lenSize(n: number): number {
  return n < 64 ? 1 : n < 16384 ? 2 : n <= 0xffffffff ? 5 : 9;
}

/** rdbSaveRawString / rdbTryIntegerEncoding, without LZF: what a string costs in an RDB file. */
function rdbStringLength(s: string | Uint8Array): number {
  if (typeof s === 'string' && s.length <= 11) {
    const n = parseInteger(s);
    if (n !== null && typeof n === 'number') {
      if (n >= -128 && n <= 127) return 2;
      if (n >= -32768 && n <= 32767) return 3;
      if (n >= -2147483648 && n <= 2147483647) return 5;
    }
  }
  return lenSize(s.length) + s.length;
}

/** Bytes of a listpack holding `items` (header 6, terminator 1). */
function listpackBytes(items: Iterable<RedisString>): number {
  let n = 7;
  for (const s of items) n += listpackEntrySize(s);
  return n;
}

/** How a list splits into quicklist nodes under list-max-listpack-size: the size of each node. */
export function quicklistNodes(list: RedisList, fill: number): { count: number; bytes: number }[] {
  const countLimit = fill >= 0 ? (fill === 0 ? 1 : fill) : Infinity;
  const sizeLimit = fill >= 0 ? SIZE_SAFETY_LIMIT : LISTPACK_SIZE_LIMITS[Math.min(-fill - 1, LISTPACK_SIZE_LIMITS.length - 1)]!;
  const nodes: { count: number; bytes: number }[] = [];
  let cur = { count: 0, bytes: 7 };
  for (let i = 0; i < list.length; i++) {
    const e = listpackEntrySize(list.at(i));
    if (cur.count > 0 && (cur.count + 1 > countLimit || cur.bytes + e > sizeLimit)) {
      nodes.push(cur);
      cur = { count: 0, bytes: 7 };
    }
    cur.count++;
    cur.bytes += e;
  }
  if (cur.count > 0) nodes.push(cur);
  return nodes;
}

function* hashItems(h: RedisHash): Generator<string> {
  for (const e of h.entries()) {
    yield e.key;
    yield e.value;
  }
}

function* zsetItems(z: RedisZset): Generator<string> {
  for (let id = z.first; id >= 0; id = z.next(id)) {
    yield z.memberOf(id);
    yield String(z.scoreOf(id));
  }
}

/** rdbSavedObjectLen for the encodings OBJECT ENCODING reports (strings without compression). */
function serializedLength(v: Value, call: CommandCall): number {
  const config = call.server.config;
  const enc = objectEncoding(v, config);
  if (v instanceof RedisList) {
    const nodes = quicklistNodes(v, config.int('list-max-listpack-size'));
    return lenSize(nodes.length) + nodes.reduce((n, q) => n + 1 + lenSize(q.bytes) + q.bytes, 0);
  }
  if (v instanceof RedisSet) {
    const members = v.members(config);
    if (enc === 'intset') {
      const wide = members.reduce((w, m) => Math.max(w, intsetWidth(Number(m))), 2);
      const bytes = 8 + wide * members.length;
      return lenSize(bytes) + bytes;
    }
    if (enc === 'listpack') return blob(listpackBytes(members));
    return lenSize(members.length) + members.reduce((n, m) => n + rdbStringLength(m), 0);
  }
  if (v instanceof RedisZset) {
    if (enc === 'listpack') return blob(listpackBytes(zsetItems(v)));
    let n = lenSize(v.size);
    for (let id = v.first; id >= 0; id = v.next(id)) n += rdbStringLength(v.memberOf(id)) + 8;
    return n;
  }
  if (v instanceof RedisHash) {
    // With field deadlines, as Redis 7.4 writes them (RDB 12's types 24 and 25).
    if (hashNeedsRdb12(v, enc)) return saveObject(v, { config, encoding: enc, compress: false, rdbVersion: 12 }).body.length;
    if (enc === 'listpack') return blob(listpackBytes(hashItems(v)));
    let n = lenSize(v.size);
    for (const s of hashItems(v)) n += rdbStringLength(s);
    return n;
  }
  if (v instanceof RedisStream) return streamSerializedLength(v);
  return rdbStringLength(v);
}

/** RDB_TYPE_STREAM_LISTPACKS_3: the nodes (key, listpack), the counters, the groups. */
function streamSerializedLength(s: RedisStream): number {
  const len = (n: number | bigint): number => lenSize(Number(n));
  let n = lenSize(s.nodes.length);
  for (const node of s.nodes) n += blob(16) + blob(node.lp.size);
  n += len(s.length) + len(s.lastId.ms) + len(s.lastId.seq) + len(s.firstId.ms) + len(s.firstId.seq);
  n += len(s.maxDeletedId.ms) + len(s.maxDeletedId.seq) + len(s.entriesAdded);
  n += lenSize(s.groups?.size ?? 0);
  for (const [name, g] of s.groups ?? []) {
    n += rdbStringLength(name) + len(g.lastId.ms) + len(g.lastId.seq) + len(Math.max(0, g.entriesRead));
    n += lenSize(g.pel.size);
    for (const nack of g.pel.vals) n += 16 + 8 + lenSize(nack.deliveryCount);
    n += lenSize(g.consumers.size);
    for (const c of g.consumers.values()) n += rdbStringLength(c.name) + 16 + lenSize(c.pel.size) + 16 * c.pel.size;
  }
  return n;
}

function blob(bytes: number): number {
  return lenSize(bytes) + bytes;
}

function intsetWidth(n: number): number {
  return n >= -32768 && n <= 32767 ? 2 : n >= -2147483648 && n <= 2147483647 ? 4 : 8;
}

/** A stable per-process pseudo address for a value, as %p prints one. */
const addresses = new WeakMap<object, number>();
let nextAddress = 0x7f0000100000;
function addressOf(v: Value): string {
  if (typeof v === 'string') return '0x7f00000' + (v.length.toString(16) + '00000').slice(0, 5);
  let a = addresses.get(v);
  if (a === undefined) {
    a = nextAddress;
    nextAddress += 0x40;
    addresses.set(v, a);
  }
  return '0x' + a.toString(16);
}

// ---- the subcommands --------------------------------------------------------------------------

/** DEBUG OBJECT key: Redis's one status line about the value. */
function object(call: CommandCall): void {
  const key = call.args.str(2);
  const db = currentDb(call);
  const v = findOrReply(call, key);
  if (v === undefined) return;
  const config = call.server.config;
  const enc = typeof v === 'string' || v instanceof Uint8Array ? stringEncoding(v) : objectEncoding(v, config);
  const clock = db.accessClock(key) ?? 0;
  const lfu = config.str('maxmemory-policy').endsWith('-lfu');
  const idle = lfu ? 0 : Math.max(0, Math.floor(call.now / 1000) - clock);
  let extra = '';
  if (v instanceof RedisList && enc === 'quicklist') {
    const fill = config.int('list-max-listpack-size');
    const nodes = quicklistNodes(v, fill);
    const size = nodes.reduce((n, q) => n + q.bytes, 0);
    const compressed = config.int('list-compress-depth') !== 0 ? 1 : 0;
    extra = ` ql_nodes:${nodes.length} ql_avg_node:${(v.length / nodes.length).toFixed(2)} ql_listpack_max:${fill} ql_compressed:${compressed} ql_uncompressed_size:${size}`;
  }
  const refcount = enc === 'int' && call.server.keyspace.sharedIntegers && Number(v) >= 0 && Number(v) < 10000 ? 2147483647 : 1;
  call.reply.status(`Value at:${addressOf(v)} refcount:${refcount} encoding:${enc} serializedlength:${serializedLength(v, call)} lru:${clock & 0xffffff} lru_seconds_idle:${idle}${extra}`);
}

/** DEBUG POPULATE count [prefix] [size]: string keys prefix:N = value:N, existing keys kept. */
function populate(call: CommandCall): void {
  const { args, reply } = call;
  const count = positiveLong(call, args.str(2));
  if (count === undefined) return;
  let size = 0;
  if (args.count === 5) {
    const s = positiveLong(call, args.str(4));
    if (s === undefined) return;
    size = s;
  }
  const prefix = args.count >= 4 ? args.str(3) : 'key';
  const db = currentDb(call);
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`;
    if (db.lookup(key, call.now, Lookup.NoTouch) !== undefined) continue;
    let value = `value:${j}`;
    if (size > 0) value = size <= value.length ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.set(key, size > 4096 ? Buffer.from(value, 'latin1') : value, false, call.now);
  }
  reply.status('OK');
}

/** getPositiveLongFromObjectOrReply: one error for junk and negatives alike. */
function positiveLong(call: CommandCall, s: string): number | undefined {
  const n = parseInteger(s);
  if (n === null || typeof n !== 'number' || n < 0) {
    call.reply.error(ERR_POSITIVE);
    return undefined;
  }
  return n;
}

function digest(call: CommandCall): void {
  call.reply.status(datasetDigest(call.server.keyspace.dbs).toString('hex'));
}

function digestValue(call: CommandCall): void {
  const { args, reply } = call;
  const db = currentDb(call);
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) reply.status(valueDigest(db, args.str(i)).toString('hex'));
}

/**
 * dictGetStats's text for a table of `size` entries. respd's tables are open-addressing arrays
 * of slots, not chained buckets: the figures are its slot array's (no chains, so every used slot
 * is a chain of length 1).
 */
function tableStats(name: string, size: number, full: boolean): string {
  if (size === 0) return `No stats available for empty dictionaries\n`;
  let slots = 4;
  while (slots < size) slots *= 2;
  let s = `Hash table 0 stats (${name}):\n table size: ${slots}\n number of elements: ${size}\n`;
  if (full) {
    s += ` different slots: ${size}\n max chain length: 1\n avg chain length (counted): 1.00\n avg chain length (computed): 1.00\n Chain length distribution:\n   0: ${slots - size} (${(((slots - size) / slots) * 100).toFixed(2)}%)\n   1: ${size} (${((size / slots) * 100).toFixed(2)}%)\n`;
  }
  return s;
}

function htstats(call: CommandCall): void {
  const { args, reply } = call;
  const id = parseInteger(args.str(2));
  if (id === null || typeof id !== 'number') {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const dbs = call.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    reply.error('Out of range database');
    return;
  }
  const full = args.count >= 4 && args.lower(3) === 'full';
  const db = dbs[id]!;
  reply.verbatim(`[Dictionary HT]\n${tableStats('main hash table', db.size, full)}[Expires HT]\n${tableStats('main hash table', db.volatileCount, full)}`);
}

function htstatsKey(call: CommandCall): void {
  const { args, reply } = call;
  const full = args.count >= 4 && args.lower(3) === 'full';
  const v = findOrReply(call, args.str(2));
  if (v === undefined) return;
  const enc = typeof v === 'string' || v instanceof Uint8Array ? '' : objectEncoding(v, call.server.config);
  const size = v instanceof RedisZset ? v.size : v instanceof RedisHash ? v.size : v instanceof RedisSet ? v.size : 0;
  if (enc !== 'hashtable' && enc !== 'skiplist') {
    reply.error('The value stored at the specified key is not represented using an hash table');
    return;
  }
  reply.verbatim(tableStats('main hash table', size, full));
}

function listpack(call: CommandCall): void {
  const v = findOrReply(call, call.args.str(2));
  if (v === undefined) return;
  const enc = typeof v === 'string' || v instanceof Uint8Array ? stringEncoding(v) : objectEncoding(v, call.server.config);
  if (enc !== 'listpack' && enc !== 'listpackex') {
    call.reply.error('Not a listpack encoded object.');
    return;
  }
  // Redis prints the structure on its stdout (lpRepr); the server's log stands in for it.
  call.reply.status('Listpack structure printed on stdout');
}

function quicklist(call: CommandCall): void {
  const v = findOrReply(call, call.args.str(2));
  if (v === undefined) return;
  if (!(v instanceof RedisList) || objectEncoding(v, call.server.config) !== 'quicklist') {
    call.reply.error('Not a quicklist encoded object.');
    return;
  }
  call.reply.status('Quicklist structure printed on stdout');
}

/** The size above which Redis stores a list element as a plain node (quicklistSetPackedThreshold). */
const quicklistPacked = { threshold: 1 << 30 };

function quicklistPackedThreshold(call: CommandCall): void {
  const sz = memtoull(call.args.str(2));
  if (sz === undefined || sz > (1n << 32n) - (1n << 20n)) {
    call.reply.error('argument must be a memory value bigger than 1 and smaller than 4gb');
    return;
  }
  quicklistPacked.threshold = sz === 0n ? 1 << 30 : Number(sz);
  call.reply.status('OK');
}

/** [name, handler, argc test] rows for debug.ts's table, in Redis's HELP order there. */
export const keyspaceSubcommands = {
  object: { argc: (n: number) => n === 3, handler: object },
  populate: { argc: (n: number) => n >= 3 && n <= 5, handler: populate },
  digest: { argc: (n: number) => n === 2, handler: digest },
  'digest-value': { argc: (n: number) => n >= 2, handler: digestValue },
  htstats: { argc: (n: number) => n >= 3, handler: htstats },
  'htstats-key': { argc: (n: number) => n >= 3, handler: htstatsKey },
  listpack: { argc: (n: number) => n === 3, handler: listpack },
  quicklist: { argc: (n: number) => n === 3 || n === 4, handler: quicklist },
  'quicklist-packed-threshold': { argc: (n: number) => n === 3, handler: quicklistPackedThreshold },
} as const;
