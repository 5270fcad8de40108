// Hash commands: HSET, HMSET, HSETNX, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HGETALL, HKEYS,
// HVALS, HINCRBY, HINCRBYFLOAT, HRANDFIELD, HSCAN (t_hash.c). A key never holds an empty hash:
// whatever deletes the last field deletes the key. Also what sets.ts shares: HSCAN's cursor and
// option parsing, and the count argument and distinct sampling of HRANDFIELD.
import { ClientFlag } from '../clients/flags.js';
import { Lookup, type Db } from '../data/keyspace.js';
import { RedisHash, type HashEntry } from '../data/hash.js';
import { expireHashFields } from '../data/active-expire.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../data/long-double.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NAN_INFINITY, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { addInt64, parseInteger } from '../util/numbers.js';
import { lookupKey, touchFlags } from './lookup.js';
import { clampCount, cursorArg, signedCountArg } from './args.js';
import { distinctSample } from './sample.js';
import { replyEmptyScan, scanOptions } from './scan.js';

const F = CmdFlag;

// ---- helpers ----------------------------------------------------------------------------------

/**
 * The hash at `key`: undefined when missing; null, with WRONGTYPE replied, for another type.
 * `read` is Redis's lookupKeyRead (keyspace hits and misses count) rather than lookupKeyWrite.
 */
function lookupHash(call: CommandCall, db: Db, key: string, read: boolean): RedisHash | undefined | null {
  const v = lookupKey(call, db, key, touchFlags(call.client) | (read ? Lookup.Read : 0));
  if (v === undefined || v instanceof RedisHash) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}

/**
 * After a write to `key`: a hash that was new is stored (which signals the key), one changed in
 * place is signalled; then the change is counted and published.
 */
function hashWritten(call: CommandCall, db: Db, key: string, h: RedisHash, isNew: boolean, event: string, dirty: number): void {
  if (isNew) db.set(key, h);
  else db.touch(key);
  call.server.dirty += dirty;
  notifyKeyspaceEvent(call.server, 'h', event, key, call.client.db);
}



/** Redis's GetFieldRes beyond a value: why hashGetValue found none. */
export const enum Getf {
  NotFound,
  /** The field's deadline had passed: deleted (unless expiry is paused). */
  Expired,
  /** ... and it was the last field, so the key went too. */
  ExpiredHash,
}

/**
 * Redis's hashTypeGetValue: the value of `field`, or why there is none. A field whose deadline
 * passed is deleted there and then (HFE_LAZY_EXPIRE) with 'hexpired' (unless `notify` is false:
 * HMGET raises it once), and the key with 'del' when it was the last field; while expiry is
 * paused it is only hidden. Not counted as dirty: Redis propagates an HDEL instead.
 */
export function hashGetValue(call: CommandCall, db: Db, key: string, h: RedisHash, field: string, notify = true): string | Getf {
  const v = h.get(field);
  if (v === undefined) return Getf.NotFound;
  if (!h.isExpired(field, call.now)) return v;
  const { server } = call;
  // A replica's master: the field stands until the master's HDEL (7.4's hashTypeGetValue).
  if (server.keyspace.masterRunning) return v;
  if (server.keyspace.expiryPaused) return Getf.Expired;
  db.willChange(key);
  h.delete(field);
  db.expiredSubkeys++;
  server.keyspace.expiredField?.(db.id, key, field);
  if (notify) notifyKeyspaceEvent(server, 'h', 'hexpired', key, db.id);
  if (h.size === 0) {
    if (notify) notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
    db.delete(key, call.now);
    return Getf.ExpiredHash;
  }
  db.touch(key);
  return Getf.Expired;
}

// ---- set, get, delete -------------------------------------------------------------------------

/** HSET key field value [field value ...] (replies the fields created) and HMSET (replies OK). */
function hset(call: CommandCall, hmset: boolean): void {
  const { args, reply, client, server } = call;
  if (args.count % 2 === 1) {
    reply.error(`wrong number of arguments for '${hmset ? 'hmset' : 'hset'}' command`);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const found = lookupHash(call, db, key, false);
  if (found === null) return;
  const h = found ?? new RedisHash();
  const pairs = (args.count - 2) / 2;
  h.sizeHint(pairs);
  let created = 0;
  for (let i = 2; i < args.count; i += 2) if (h.set(args.str(i), args.str(i + 1))) created++;
  hashWritten(call, db, key, h, found === undefined, 'hset', pairs);
  if (hmset) reply.status('OK');
  else reply.integer(created);
}

function hsetnx(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const found = lookupHash(call, db, key, false);
  if (found === null) return;
  const field = args.str(2);
  const got = found === undefined ? Getf.NotFound : hashGetValue(call, db, key, found, field);
  if (typeof got === 'string') {
    reply.integer(0);
    return;
  }
  // The field's expiry may have taken the key with it: a new hash, as Redis creates one.
  const h = found === undefined || got === Getf.ExpiredHash ? new RedisHash() : found;
  h.set(field, args.str(3));
  hashWritten(call, db, key, h, h !== found, 'hset', 1);
  reply.integer(1);
}

function hget(call: CommandCall): void {
  const db = call.server.keyspace.dbs[call.client.db];
  const key = call.args.str(1);
  const h = lookupHash(call, db, key, true);
  if (h === null) return;
  const v = h === undefined ? Getf.NotFound : hashGetValue(call, db, key, h, call.args.str(2));
  if (typeof v === 'string') call.reply.bulkStr(v);
  else call.reply.nullBulk();
}

/**
 * HMGET: expired fields are deleted as HGET does, with one 'hexpired' at the end. As in 7.4.1,
 * the field whose expiry deleted the key does not count for it (only GETF_EXPIRED does), so that
 * 'hexpired' and 'del' come only when another expired field preceded it.
 */
function hmget(call: CommandCall): void {
  const { args, reply, server } = call;
  const db = server.keyspace.dbs[call.client.db];
  const key = args.str(1);
  const h = lookupHash(call, db, key, true);
  if (h === null) return;
  reply.array(args.count - 2);
  let expired = 0;
  let deleted = false;
  for (let i = 2; i < args.count; i++) {
    const v = h === undefined || deleted ? Getf.NotFound : hashGetValue(call, db, key, h, args.str(i), false);
    if (typeof v === 'string') reply.bulkStr(v);
    else reply.nullBulk();
    if (v === Getf.Expired) expired++;
    else if (v === Getf.ExpiredHash) deleted = true;
  }
  if (expired > 0) {
    notifyKeyspaceEvent(server, 'h', 'hexpired', key, db.id);
    if (deleted) notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
  }
}

function hdel(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const h = lookupHash(call, db, key, false);
  if (h === null) return;
  if (h === undefined) {
    reply.integer(0);
    return;
  }
  let deleted = 0;
  for (let i = 2; i < args.count; i++) {
    if (!h.delete(args.str(i))) continue;
    deleted++;
    if (h.size === 0) break;
  }
  if (deleted > 0) {
    // Deleting the emptied key signals it; a hash changed in place is signalled here.
    if (h.size === 0) db.delete(key, call.now);
    else db.touch(key);
    server.dirty += deleted;
    notifyKeyspaceEvent(server, 'h', 'hdel', key, client.db);
    if (h.size === 0) notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
  }
  reply.integer(deleted);
}

/** HLEN is hashTypeLength(o, 0): fields whose deadline passed but are not yet deleted count. */
function hlen(call: CommandCall): void {
  const h = lookupHash(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (h !== null) call.reply.integer(h === undefined ? 0 : h.size);
}

/** The live value of a field (expired ones deleted) for HSTRLEN and HEXISTS. */
function fieldArg(call: CommandCall): string | Getf | null {
  const db = call.server.keyspace.dbs[call.client.db];
  const key = call.args.str(1);
  const h = lookupHash(call, db, key, true);
  if (h === null) return null;
  return h === undefined ? Getf.NotFound : hashGetValue(call, db, key, h, call.args.str(2));
}

function hstrlen(call: CommandCall): void {
  const v = fieldArg(call);
  if (v !== null) call.reply.integer(typeof v === 'string' ? v.length : 0);
}

function hexists(call: CommandCall): void {
  const v = fieldArg(call);
  if (v !== null) call.reply.integer(typeof v === 'string' ? 1 : 0);
}

const enum Want {
  Fields = 1,
  Values = 2,
  Both = 3,
}

/** HGETALL (a map), HKEYS, HVALS (arrays): genericHgetallCommand. */
function getAll(call: CommandCall, want: Want): void {
  const { reply } = call;
  const h = lookupHash(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (h === null) return;
  // Fields whose deadline passed are left out, not deleted (hashTypeLength(o, 1)).
  const ttls = h?.ttls ?? null;
  const n = h === undefined ? 0 : h.size - (ttls === null ? 0 : ttls.expiredCount(call.now));
  if (want === Want.Both) reply.map(n);
  else reply.array(n);
  if (h === undefined) return;
  for (const e of h.ordered(call.server.config)) {
    if (ttls !== null && ttls.expired(e.key, call.now)) continue;
    if (want & Want.Fields) reply.bulkStr(e.key);
    if (want & Want.Values) reply.bulkStr(e.value);
  }
}

// ---- counters ---------------------------------------------------------------------------------

function hincrby(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const incr = parseInteger(args.str(3));
  if (incr === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const found = lookupHash(call, db, key, false);
  if (found === null) return;
  const field = args.str(2);
  const got = found === undefined ? Getf.NotFound : hashGetValue(call, db, key, found, field);
  const h = found === undefined || got === Getf.ExpiredHash ? new RedisHash() : found;
  const old = typeof got === 'string' ? got : undefined;
  let cur: number | bigint = 0;
  if (old !== undefined) {
    const v = parseInteger(old);
    if (v === null) {
      reply.error('hash value is not an integer');
      return;
    }
    cur = v;
  }
  const next = addInt64(cur, incr);
  if (next === null) {
    reply.error(ERR_OVERFLOW);
    return;
  }
  // The field keeps its deadline (HASH_SET_KEEP_TTL).
  h.set(field, String(next), true);
  hashWritten(call, db, key, h, h !== found, 'hincrby', 1);
  reply.integer(next);
}

/** HINCRBYFLOAT: in long double, as Redis computes it, formatted as ld2string's human form. */
function hincrbyfloat(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const incr = parseLongDouble(args.str(3));
  if (incr === null) {
    reply.error(ERR_NOT_FLOAT);
    return;
  }
  if (incr.inf) {
    reply.error('value is NaN or Infinity');
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const found = lookupHash(call, db, key, false);
  if (found === null) return;
  const field = args.str(2);
  const got = found === undefined ? Getf.NotFound : hashGetValue(call, db, key, found, field);
  const h = found === undefined || got === Getf.ExpiredHash ? new RedisHash() : found;
  const old = typeof got === 'string' ? got : undefined;
  let sum = incr;
  if (old !== undefined) {
    const v = parseLongDouble(old);
    if (v === null) {
      reply.error('hash value is not a float');
      return;
    }
    const s = addLongDouble(v, incr);
    if (s === null || s.inf) {
      reply.error(ERR_NAN_INFINITY);
      return;
    }
    sum = s;
  }
  const text = formatLongDouble(sum);
  h.set(field, text, true);
  hashWritten(call, db, key, h, h !== found, 'hincrbyfloat', 1);
  reply.bulkStr(text);
  // Propagated as HSET with the result, so that float formatting can't differ on a replica
  // (7.2); a field with a deadline as Redis 8 does, HSETEX KEEPTTL, since HSET would drop it.
  if (server.propagation.active) {
    call.propagateAs = h.ttls?.get(field) === undefined
      ? ['HSET', args.buf(1), args.buf(2), text]
      : ['HSETEX', args.buf(1), 'KEEPTTL', 'FIELDS', '1', args.buf(2), text];
  }
}

// ---- random fields ----------------------------------------------------------------------------

/** One field (and its value) of an HRANDFIELD reply: RESP3 pairs are arrays of two. */
function replyField(reply: ReplyWriter, e: HashEntry, withValues: boolean): void {
  if (withValues && reply.resp === 3) reply.array(2);
  reply.bulkStr(e.key);
  if (withValues) reply.bulkStr(e.value);
}

/**
 * HRANDFIELD key [count [WITHVALUES]]. A negative count may repeat fields; a positive one
 * returns distinct fields, the whole hash (in its order) when count covers it.
 */
function hrandfield(call: CommandCall): void {
  const { args, reply } = call;
  let count = 0;
  let withValues = false;
  if (args.count >= 3) {
    const c = signedCountArg(call, 2);
    if (c === null) return;
    if (args.count > 4 || (args.count === 4 && !args.is(3, 'withvalues'))) {
      reply.error(ERR_SYNTAX);
      return;
    }
    if (args.count === 4) {
      withValues = true;
      // Redis refuses what would overflow count * 2 (LONG_MAX / 2).
      if (c < -4611686018427387903n || c > 4611686018427387903n) {
        reply.error('value is out of range');
        return;
      }
    }
    count = clampCount(c);
  }
  const db = call.server.keyspace.dbs[call.client.db];
  let h = lookupHash(call, db, args.str(1), true);
  if (h === null) return;
  // Every due field goes first, and the key with them if none is left (hashTypeExpireIfNeeded).
  if (h !== undefined && expireAllDue(call, db, args.str(1), h)) h = undefined;
  if (args.count === 2) {
    if (h === undefined) reply.nullBulk();
    else reply.bulkStr(h.random().key);
    return;
  }
  if (h === undefined || count === 0) {
    reply.array(0);
    return;
  }
  const flat = withValues && reply.resp === 2;
  if (count < 0) {
    const n = -count;
    reply.array(flat ? n * 2 : n);
    for (let i = 0; i < n; i++) {
      replyField(reply, h.random(), withValues);
      // As Redis: stop once the client is being closed (its output limit was reached).
      if (call.client.flags & ClientFlag.CloseAsap) break;
    }
    return;
  }
  const n = Math.min(count, h.size);
  reply.array(flat ? n * 2 : n);
  if (count >= h.size) {
    for (const e of h.ordered(call.server.config)) replyField(reply, e, withValues);
    return;
  }
  for (const e of distinctSample(h.size, count, () => h.random(), h.entries())) replyField(reply, e, withValues);
}


/** Redis's hashTypeExpireIfNeeded: expires every due field of `h`; true when the key went with them. */
function expireAllDue(call: CommandCall, db: Db, key: string, h: RedisHash): boolean {
  const ttls = h.ttls;
  if (ttls === null || ttls.minExpire() >= call.now || call.server.keyspace.expiryPaused) return false;
  expireHashFields(db, key, h, call.now, Infinity);
  return h.size === 0;
}

// ---- HSCAN ------------------------------------------------------------------------------------


function hscan(call: CommandCall): void {
  const { args, reply, server } = call;
  const cursor = cursorArg(call, 2);
  if (cursor === null) return;
  const h = lookupHash(call, server.keyspace.dbs[call.client.db], args.str(1), true);
  if (h === null) return;
  if (h === undefined) {
    replyEmptyScan(reply);
    return;
  }
  const opts = scanOptions(call, 3);
  if (opts === null) return;
  // A listpack hash is answered whole, cursor 0, as Redis does; a hashtable one COUNT at a time.
  let next = 0;
  let found: Iterable<HashEntry>;
  if (h.encoding(server.config) !== 'hashtable') found = h.ordered(server.config);
  else {
    const out: HashEntry[] = [];
    next = h.scan(cursor, opts.count, out);
    found = out;
  }
  const matched: HashEntry[] = [];
  const ttls = h.ttls;
  for (const e of found) {
    // Fields whose deadline passed are skipped, not deleted.
    if (ttls !== null && ttls.expired(e.key, call.now)) continue;
    if (opts.pattern === null || globMatch(opts.pattern, e.key, false)) matched.push(e);
  }
  reply.array(2);
  reply.bulkStr(String(next));
  reply.array(matched.length * 2);
  for (const e of matched) {
    reply.bulkStr(e.key);
    reply.bulkStr(e.value);
  }
}

// ---- the rows ---------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const spec = (...flags: string[]) => [{ flags, begin: 1, lastKey: 0, step: 1 }];
const HASH_W = ['write', 'hash', 'fast'];
const HASH_R = ['read', 'hash', 'fast'];
const HASH_R_SLOW = ['read', 'hash', 'slow'];
const ALL_FIELDS = 'O(N) where N is the size of the hash.';

export const hashCommands: CommandDef[] = [
  {
    name: 'hset', arity: -4, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '2.0.0',
    summary: 'Creates or modifies the value of a field in a hash.',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    ...key1, keySpecs: spec('RW', 'update'), handler: (c) => hset(c, false),
  },
  {
    name: 'hmset', arity: -4, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '2.0.0',
    summary: 'Sets the values of multiple fields.', complexity: 'O(N) where N is the number of fields being set.',
    ...key1, keySpecs: spec('RW', 'update'), handler: (c) => hset(c, true),
  },
  {
    name: 'hsetnx', arity: 4, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '2.0.0',
    summary: 'Sets the value of a field in a hash only when the field doesn\'t exist.', complexity: 'O(1)',
    ...key1, keySpecs: spec('RW', 'insert'), handler: hsetnx,
  },
  {
    name: 'hget', arity: 3, flags: F.Readonly | F.Fast, acl: HASH_R, group: 'hash', since: '2.0.0',
    summary: 'Returns the value of a field in a hash.', complexity: 'O(1)',
    ...key1, keySpecs: spec('RO', 'access'), handler: hget,
  },
  {
    name: 'hmget', arity: -3, flags: F.Readonly | F.Fast, acl: HASH_R, group: 'hash', since: '2.0.0',
    summary: 'Returns the values of all fields in a hash.',
    complexity: 'O(N) where N is the number of fields being requested.',
    ...key1, keySpecs: spec('RO', 'access'), handler: hmget,
  },
  {
    name: 'hdel', arity: -3, flags: F.Write | F.Fast, acl: HASH_W, group: 'hash', since: '2.0.0',
    summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.',
    complexity: 'O(N) where N is the number of fields to be removed.',
    ...key1, keySpecs: spec('RW', 'delete'), handler: hdel,
  },
  {
    name: 'hlen', arity: 2, flags: F.Readonly | F.Fast, acl: HASH_R, group: 'hash', since: '2.0.0',
    summary: 'Returns the number of fields in a hash.', complexity: 'O(1)',
    ...key1, keySpecs: spec('RO'), handler: hlen,
  },
  {
    name: 'hstrlen', arity: 3, flags: F.Readonly | F.Fast, acl: HASH_R, group: 'hash', since: '3.2.0',
    summary: 'Returns the length of the value of a field.', complexity: 'O(1)',
    ...key1, keySpecs: spec('RO'), handler: hstrlen,
  },
  {
    name: 'hexists', arity: 3, flags: F.Readonly | F.Fast, acl: HASH_R, group: 'hash', since: '2.0.0',
    summary: 'Determines whether a field exists in a hash.', complexity: 'O(1)',
    ...key1, keySpecs: spec('RO'), handler: hexists,
  },
  {
    name: 'hgetall', arity: 2, flags: F.Readonly, acl: HASH_R_SLOW, group: 'hash', since: '2.0.0',
    summary: 'Returns all fields and values in a hash.', complexity: ALL_FIELDS,
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output_order'], handler: (c) => getAll(c, Want.Both),
  },
  {
    name: 'hkeys', arity: 2, flags: F.Readonly, acl: HASH_R_SLOW, group: 'hash', since: '2.0.0',
    summary: 'Returns all fields in a hash.', complexity: ALL_FIELDS,
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output_order'], handler: (c) => getAll(c, Want.Fields),
  },
  {
    name: 'hvals', arity: 2, flags: F.Readonly, acl: HASH_R_SLOW, group: 'hash', since: '2.0.0',
    summary: 'Returns all values in a hash.', complexity: ALL_FIELDS,
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output_order'], handler: (c) => getAll(c, Want.Values),
  },
  {
    name: 'hincrby', arity: 4, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '2.0.0',
    summary: 'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: spec('RW', 'access', 'update'), handler: hincrby,
  },
  {
    name: 'hincrbyfloat', arity: 4, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '2.6.0',
    summary: 'Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: spec('RW', 'access', 'update'), handler: hincrbyfloat,
  },
  {
    name: 'hrandfield', arity: -2, flags: F.Readonly, acl: HASH_R_SLOW, group: 'hash', since: '6.2.0',
    summary: 'Returns one or more random fields from a hash.', complexity: 'O(N) where N is the number of fields returned',
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output'], handler: hrandfield,
  },
  {
    name: 'hscan', arity: -3, flags: F.Readonly, acl: HASH_R_SLOW, group: 'hash', since: '2.8.0',
    summary: 'Iterates over fields and values of a hash.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output'], handler: hscan,
  },
];
