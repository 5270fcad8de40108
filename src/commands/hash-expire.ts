// Hash field expiration (Redis 7.4, t_hash.c): HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT set
// deadlines on fields, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME read them, HPERSIST drops them.
// The deadlines live in data/hash-ttl.ts; the reads that hide expired fields are in hashes.ts
// and the active field cycle in data/active-expire.ts.
import type { Arg } from './propagate.js';
import { Lookup, type Db } from '../data/keyspace.js';
import { RedisHash } from '../data/hash.js';
import { notifyKeyspaceEvent } from './notify.js';
import { lookupKey, touchFlags } from './lookup.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';

const F = CmdFlag;

/** Redis's HFE_MAX_ABS_TIME_MSEC: EB_EXPIRE_TIME_MAX >> 2, the latest deadline a command may set. */
const HFE_MAX_ABS_TIME_MSEC = 70368744177663;

/** Reply codes per field (SetExRes, GetExpireTimeRes, SetPersistRes). */
const NO_FIELD = -2;
const NO_TTL = -1;
const NO_CONDITION_MET = 0;
const OK = 1;
const DELETED = 2;

const enum Cond {
  None = 0,
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
}

export const ERR_FIELDS = 'Mandatory argument FIELDS is missing or not at the right position';
export const ERR_NUMFIELDS_MATCH = 'The `numfields` parameter must match the number of arguments';

/** The hash at `key`, undefined when missing; null after replying WRONGTYPE. */
export function lookup(call: CommandCall, db: Db, key: string, read: boolean): RedisHash | undefined | null {
  const v = lookupKey(call, db, key, touchFlags(call.client) | (read ? Lookup.Read : 0));
  if (v === undefined || v instanceof RedisHash) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}

/**
 * `FIELDS numfields field...` starting at argument `at` (the FIELDS keyword): the number of fields,
 * or null after Redis's error. `rangeMsg` is the text for a numfields that is not an integer >= 1.
 */
export function fieldsArg(call: CommandCall, at: number, rangeMsg: string): number | null {
  const { args, reply } = call;
  if (!args.is(at, 'fields')) {
    reply.error(ERR_FIELDS);
    return null;
  }
  const n = parseInteger(args.str(at + 1));
  if (n === null || n < 1) {
    reply.error(rangeMsg);
    return null;
  }
  if (n !== args.count - at - 2) {
    reply.error(ERR_NUMFIELDS_MATCH);
    return null;
  }
  return n;
}

/** Replies `code` for each of `n` fields: a missing key is an empty hash. */
function replyAll(call: CommandCall, n: number, code: number): void {
  call.reply.array(n);
  for (let i = 0; i < n; i++) call.reply.integer(code);
}

/**
 * The deadline in ms from argument 2 (hexpireGenericCommand): `basetime` plus the value, seconds
 * when `seconds`; null after an error reply.
 */
function deadlineArg(call: CommandCall, basetime: number, seconds: boolean): number | null {
  return parseDeadline(call, 2, basetime, seconds);
}

/** parseExpireTime: argument `at` as a deadline in ms (HGETEX and HSETEX share it); null after the error. */
export function parseDeadline(call: CommandCall, at: number, basetime: number, seconds: boolean): number | null {
  const { args, reply } = call;
  const v = parseInteger(args.str(at));
  if (v === null) {
    reply.error(ERR_NOT_INTEGER);
    return null;
  }
  if (v < 0) {
    reply.error('invalid expire time, must be >= 0');
    return null;
  }
  const tooLate = `invalid expire time in '${args.lower(0)}' command`;
  // Beyond 2^53 a value is far past the limit either way.
  let when = typeof v === 'bigint' ? Infinity : v;
  if (seconds) {
    if (when > Math.floor(HFE_MAX_ABS_TIME_MSEC / 1000)) {
      reply.error(tooLate);
      return null;
    }
    when *= 1000;
  }
  if (when > HFE_MAX_ABS_TIME_MSEC - basetime) {
    reply.error(tooLate);
    return null;
  }
  return when + basetime;
}

/** The command as 7.4 propagates it: HPEXPIREAT, the absolute deadline, only the fields it set. */
function propagateHexpire(call: CommandCall, at: number, when: number, rewriteWhen: boolean, fields: Arg[]): void {
  const { args } = call;
  if (fields.length === 0) {
    call.preventPropagation = true;
    return;
  }
  const argv: Arg[] = [args.is(0, 'hpexpireat') ? args.buf(0) : 'HPEXPIREAT', args.buf(1), rewriteWhen ? String(when) : args.buf(2)];
  for (let i = 3; i < at; i++) argv.push(args.buf(i));
  argv.push(args.buf(at), String(fields.length), ...fields);
  call.propagateAs = argv;
}

/** HEXPIRE, HPEXPIRE, HEXPIREAT, HPEXPIREAT (hexpireGenericCommand). */
function hexpireGeneric(call: CommandCall, basetime: number, seconds: boolean): void {
  const { args, reply, server, now } = call;
  const db = server.keyspace.dbs[call.client.db];
  const key = args.str(1);
  const h = lookup(call, db, key, false);
  if (h === null) return;
  const when = deadlineArg(call, basetime, seconds);
  if (when === null) return;
  let cond = Cond.None;
  const opt = args.lower(3);
  if (opt === 'nx') cond = Cond.NX;
  else if (opt === 'xx') cond = Cond.XX;
  else if (opt === 'gt') cond = Cond.GT;
  else if (opt === 'lt') cond = Cond.LT;
  const at = cond === Cond.None ? 3 : 4;
  const n = fieldsArg(call, at, 'Parameter `numFields` should be greater than 0');
  if (n === null) return;
  if (h === undefined) {
    replyAll(call, n, NO_FIELD);
    return;
  }
  // As hashTypeSetExInit: the hash becomes able to hold deadlines (listpackex) whatever follows.
  const ttls = h.enableTtls();
  let updated = 0;
  let deleted = 0;
  // Propagated as HPEXPIREAT with the fields it set (a field deleted by a past deadline as HDEL).
  const propagated: Arg[] | undefined = server.propagation.active ? [] : undefined;
  reply.array(n);
  for (let i = at + 2; i < args.count; i++) {
    const field = args.str(i);
    if (!h.has(field)) {
      reply.integer(NO_FIELD);
      continue;
    }
    const prev = ttls.get(field);
    if (prev === undefined) {
      // A field without a deadline meets LT and NX, never XX or GT.
      if (cond & (Cond.XX | Cond.GT)) {
        reply.integer(NO_CONDITION_MET);
        continue;
      }
    } else if ((cond === Cond.GT && prev >= when) || (cond === Cond.LT && prev <= when) || cond === Cond.NX) {
      reply.integer(NO_CONDITION_MET);
      continue;
    }
    // checkAlreadyExpired: a deadline not after now deletes the field.
    if (when <= now) {
      server.keyspace.expiredField?.(db.id, key, field);
      h.delete(field);
      db.expiredSubkeys++;
      deleted++;
      reply.integer(DELETED);
      continue;
    }
    ttls.set(field, when);
    updated++;
    propagated?.push(args.buf(i));
    reply.integer(OK);
  }
  if (propagated) propagateHexpire(call, at, when, seconds || basetime !== 0, propagated);
  // hashTypeSetExDone
  if (updated + deleted === 0) return;
  server.dirty += updated + deleted;
  if (deleted > 0 && h.size === 0) {
    db.delete(key, now);
    notifyKeyspaceEvent(server, 'h', 'hdel', key, db.id);
    notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
    return;
  }
  db.touch(key);
  notifyKeyspaceEvent(server, 'h', deleted > 0 ? 'hdel' : 'hexpire', key, db.id);
  if (ttls.size > 0) db.registerFieldTtls(key, h);
}

/**
 * HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME (httlGenericCommand): per field -2 (missing, or its
 * deadline passed), -1 (none), else the time left from `basetime` (0: the deadline itself),
 * seconds rounded up.
 */
function httlGeneric(call: CommandCall, basetime: number, seconds: boolean): void {
  const { args, reply, server, now } = call;
  const h = lookup(call, server.keyspace.dbs[call.client.db], args.str(1), true);
  if (h === null) return;
  const n = fieldsArg(call, 2, 'Number of fields must be a positive integer');
  if (n === null) return;
  if (h === undefined) {
    replyAll(call, n, NO_FIELD);
    return;
  }
  const ttls = h.ttls;
  // The listpackex path calls a deadline equal to now expired; the hashtable one does not.
  const lp = ttls !== null && h.encoding(server.config) !== 'hashtable';
  reply.array(n);
  for (let i = 4; i < args.count; i++) {
    const field = args.str(i);
    if (!h.has(field)) {
      reply.integer(NO_FIELD);
      continue;
    }
    const when = ttls?.get(field);
    if (when === undefined) reply.integer(NO_TTL);
    else if (when < now || (lp && when === now)) reply.integer(NO_FIELD);
    else reply.integer(seconds ? Math.floor((when + 999 - basetime) / 1000) : when - basetime);
  }
}

/** HPERSIST: per field -2 (missing or expired), -1 (no deadline), 1 (dropped). */
function hpersist(call: CommandCall): void {
  const { args, reply, server, now } = call;
  const db = server.keyspace.dbs[call.client.db];
  const key = args.str(1);
  const h = lookup(call, db, key, false);
  if (h === null) return;
  const n = fieldsArg(call, 2, 'Number of fields must be a positive integer');
  if (n === null) return;
  if (h === undefined) {
    replyAll(call, n, NO_FIELD);
    return;
  }
  const ttls = h.ttls;
  let changed = false;
  reply.array(n);
  for (let i = 4; i < args.count; i++) {
    const field = args.str(i);
    if (!h.has(field)) {
      reply.integer(NO_FIELD);
      continue;
    }
    const when = ttls?.get(field);
    if (ttls === null || when === undefined) reply.integer(NO_TTL);
    else if (when < now) reply.integer(NO_FIELD);
    else {
      ttls.persist(field);
      changed = true;
      reply.integer(OK);
    }
  }
  if (changed) {
    notifyKeyspaceEvent(server, 'h', 'hpersist', key, db.id);
    db.touch(key);
    server.dirty++;
  }
}

// ---- the rows ---------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const spec = (...flags: string[]) => [{ flags, begin: 1, lastKey: 0, step: 1 }];
const HASH_W = ['write', 'hash', 'fast'];
const HASH_R = ['read', 'hash', 'fast'];
const PER_FIELD = 'O(N) where N is the number of specified fields';

function setter(name: string, summary: string, relative: boolean, seconds: boolean): CommandDef {
  return {
    name, arity: -6, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '7.4.0', summary, complexity: PER_FIELD,
    ...key1, keySpecs: spec('RW', 'update'), handler: (c) => hexpireGeneric(c, relative ? c.now : 0, seconds),
  };
}

function getter(name: string, summary: string, relative: boolean, seconds: boolean): CommandDef {
  return {
    name, arity: -5, flags: F.Readonly | F.Fast, acl: HASH_R, group: 'hash', since: '7.4.0', summary, complexity: PER_FIELD,
    ...key1, keySpecs: spec('RO', 'access'), handler: (c) => httlGeneric(c, relative ? c.now : 0, seconds),
  };
}

export const hashExpireCommands: CommandDef[] = [
  setter('hexpire', 'Set expiry for hash field using relative time to expire (seconds)', true, true),
  setter('hpexpire', 'Set expiry for hash field using relative time to expire (milliseconds)', true, false),
  setter('hexpireat', 'Set expiry for hash field using an absolute Unix timestamp (seconds)', false, true),
  setter('hpexpireat', 'Set expiry for hash field using an absolute Unix timestamp (milliseconds)', false, false),
  getter('httl', 'Returns the TTL in seconds of a hash field.', true, true),
  getter('hpttl', 'Returns the TTL in milliseconds of a hash field.', true, false),
  getter('hexpiretime', 'Returns the expiration time of a hash field as a Unix timestamp, in seconds.', false, true),
  getter('hpexpiretime', 'Returns the expiration time of a hash field as a Unix timestamp, in msec.', false, false),
  {
    name: 'hpersist', arity: -5, flags: F.Write | F.Fast, acl: HASH_W, group: 'hash', since: '7.4.0',
    summary: 'Removes the expiration time for each specified field', complexity: PER_FIELD,
    ...key1, keySpecs: spec('RW', 'update'), handler: hpersist,
  },
];
