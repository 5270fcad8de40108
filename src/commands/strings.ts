// String commands (t_string.c): GET, SET (EX PX EXAT PXAT NX XX KEEPTTL GET), SETNX, SETEX,
// PSETEX, GETEX, GETDEL, MGET, MSET, MSETNX, INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT, APPEND,
// STRLEN, GETRANGE, SUBSTR, SETRANGE and LCS. On a key of another type they reply WRONGTYPE,
// except MGET (nil for it), SET and MSET (which replace whatever the key held) and LCS (its own
// error). Every change signals its key (db.set, or db.touch after an in-place edit), counts in
// server.dirty and raises the keyspace event Redis raises.
import { addLongDouble, formatLongDouble, parseLongDouble } from '../data/long-double.js';
import { appendBytes, editableBytes } from '../data/string-edit.js';
import { fromBytes, strText, type RedisString } from '../data/string.js';
import { storableInt } from '../data/string-int.js';
import { isString, Lookup } from '../data/keyspace.js';
import { SMALL_VALUE_MAX } from '../engine/args.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NAN_INFINITY, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { INT64_MAX, addInt64, parseInteger } from '../util/numbers.js';
import { ERR_NOT_FLOAT } from '../util/errors.js';
import { lookupKey, lookupKeyStored, touchFlags } from './lookup.js';
import { withinProtoMaxBulkLen } from './args.js';
import { lookupString } from './lookup.js';
import { clampCount } from './args.js';
import { lazyExpireDel, type Arg } from './propagate.js';

const F = CmdFlag;
const STR = ['string'];

// ---- helpers shared with bitops.ts --------------------------------------------------------------



/** Redis's checkStringLength: false, with the error replied, when `size + add` bytes are too many. */
function checkStringLength(call: CommandCall, size: number, add: number): boolean {
  if (withinProtoMaxBulkLen(call.server, size + add)) return true;
  call.reply.error('string exceeds maximum allowed size (proto-max-bulk-len)');
  return false;
}

/** Text produced here (numbers) as a stored value: big ones as Buffers, like Args.value(). */
function textValue(s: string): RedisString {
  return s.length <= SMALL_VALUE_MAX ? s : Buffer.from(s, 'latin1');
}

// ---- SET and the commands sharing its options ---------------------------------------------------

const enum SetFlag {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  EX = 16,
  PX = 32,
  EXAT = 64,
  PXAT = 128,
  PERSIST = 256,
}
const EXPIRE_FLAGS = SetFlag.EX | SetFlag.PX | SetFlag.EXAT | SetFlag.PXAT;

/**
 * Redis's parseExtendedStringArgumentsOrReply from argument `first` on: SET's options, or GETEX's
 * (`forGet`). As in Redis an option may repeat (the last expire wins) but not contradict another.
 * Returns the flags and the index of the expire argument (-1 if none), or null after a syntax error.
 */
function parseStringOptions(call: CommandCall, first: number, forGet: boolean): { flags: number; expireArg: number } | null {
  const { args } = call;
  let flags = 0;
  let expireArg = -1;
  for (let j = first; j < args.count; j++) {
    const opt = args.lower(j);
    const hasNext = j + 1 < args.count;
    const noTtlChange = !(flags & (SetFlag.KEEPTTL | SetFlag.PERSIST));
    if (opt === 'nx' && !forGet && !(flags & SetFlag.XX)) flags |= SetFlag.NX;
    else if (opt === 'xx' && !forGet && !(flags & SetFlag.NX)) flags |= SetFlag.XX;
    else if (opt === 'get' && !forGet) flags |= SetFlag.GET;
    else if (opt === 'keepttl' && !forGet && !(flags & (SetFlag.PERSIST | EXPIRE_FLAGS))) flags |= SetFlag.KEEPTTL;
    else if (opt === 'persist' && forGet && !(flags & (SetFlag.KEEPTTL | EXPIRE_FLAGS))) flags |= SetFlag.PERSIST;
    else if (hasNext && noTtlChange && (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat')) {
      const flag = opt === 'ex' ? SetFlag.EX : opt === 'px' ? SetFlag.PX : opt === 'exat' ? SetFlag.EXAT : SetFlag.PXAT;
      if (flags & EXPIRE_FLAGS & ~flag) {
        call.reply.error(ERR_SYNTAX);
        return null;
      }
      flags |= flag;
      expireArg = ++j;
    } else {
      call.reply.error(ERR_SYNTAX);
      return null;
    }
  }
  return { flags, expireArg };
}

/**
 * Redis's getExpireMillisecondsOrReply: the absolute deadline in ms for the expire argument `i`
 * (seconds for EX/EXAT, relative for EX/PX), or -1 after an error reply. Checked as 64-bit C
 * arithmetic sees it: overflowing the range is an invalid expire time.
 */
function expireDeadline(call: CommandCall, i: number, flags: number, command: string): number {
  const v = parseInteger(call.args.str(i));
  if (v === null) {
    call.reply.error(ERR_NOT_INTEGER);
    return -1;
  }
  const seconds = (flags & (SetFlag.EX | SetFlag.EXAT)) !== 0;
  const relative = (flags & (SetFlag.EX | SetFlag.PX)) !== 0;
  if (typeof v === 'number') {
    // |v| <= 2^53: neither the product nor the sum can leave the 64-bit range.
    if (v > 0) {
      const ms = seconds ? v * 1000 : v;
      return relative ? call.now + ms : ms;
    }
  } else if (v > 0n && !(seconds && v > INT64_MAX / 1000n)) {
    let ms = seconds ? v * 1000n : v;
    if (relative) ms += BigInt(call.now);
    if (ms <= INT64_MAX) return Number(ms);
  }
  call.reply.error(`invalid expire time in '${command}' command`);
  return -1;
}

/**
 * Redis's setGenericCommand: stores argument `valueArg` at argument 1 under `flags`, with the
 * deadline from argument `expireArg` (-1: none). SETNX answers :1/:0 (`intReply`), the others
 * +OK/nil, or the old value with GET.
 */
function setGeneric(call: CommandCall, flags: number, valueArg: number, expireArg: number, command: string, intReply = false): void {
  const { args, reply, client, server } = call;
  let deadline = -1;
  if (expireArg > 0) {
    deadline = expireDeadline(call, expireArg, flags, command);
    if (deadline < 0) return;
  }
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  // With GET this is Redis's getGenericCommand (a read; a non-string aborts the whole SET).
  const old = lookupKey(call, db, key, touchFlags(client) | (flags & SetFlag.GET ? Lookup.Read : 0));
  if (flags & SetFlag.GET) {
    if (old === undefined) reply.nullBulk();
    else if (!isString(old)) {
      reply.error(ERR_WRONGTYPE);
      return;
    } else reply.bulkValue(old);
  }
  if ((flags & SetFlag.NX && old !== undefined) || (flags & SetFlag.XX && old === undefined)) {
    if (intReply) reply.integer(0);
    else if (!(flags & SetFlag.GET)) reply.nullBulk();
    return;
  }
  db.set(key, args.value(valueArg), (flags & SetFlag.KEEPTTL) !== 0);
  server.dirty++;
  notifyKeyspaceEvent(server, '$', 'set', key, client.db);
  if (deadline >= 0) {
    db.setExpire(key, deadline);
    notifyKeyspaceEvent(server, 'g', 'expire', key, client.db);
  }
  if (intReply) reply.integer(1);
  else if (!(flags & SetFlag.GET)) reply.status('OK');
  if (server.propagation.active) propagateSet(call, flags, valueArg, deadline);
}

/**
 * How setGenericCommand propagates: with EX/PX/EXAT (SETEX, PSETEX too) as SET key value PXAT ms;
 * otherwise with GET as the command without its GET arguments (GETSET as SET).
 */
function propagateSet(call: CommandCall, flags: number, valueArg: number, deadline: number): void {
  const { args } = call;
  if (deadline >= 0) {
    if (!(flags & SetFlag.PXAT)) call.propagateAs = ['SET', args.buf(1), args.buf(valueArg), 'PXAT', String(deadline)];
  } else if (flags & SetFlag.GET) {
    const argv: Arg[] = [args.is(0, 'getset') ? 'SET' : args.buf(0)];
    for (let j = 1; j < args.count; j++) if (j < 3 || !args.is(j, 'get')) argv.push(args.buf(j));
    call.propagateAs = argv;
  }
}

function set(call: CommandCall): void {
  // SET key value, the common case, has no options to parse (and no object made for them).
  if (call.args.count === 3) {
    setGeneric(call, 0, 2, -1, 'set');
    return;
  }
  const opts = parseStringOptions(call, 3, false);
  if (opts !== null) setGeneric(call, opts.flags, 2, opts.expireArg, 'set');
}

function get(call: CommandCall): void {
  const v = lookupString(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (v === undefined) call.reply.nullBulk();
  else if (v !== null) call.reply.bulkValue(v);
}

function getex(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const opts = parseStringOptions(call, 2, true);
  if (opts === null) return;
  const { flags, expireArg } = opts;
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const v = lookupString(call, db, key, true);
  if (v === null) return;
  if (v === undefined) {
    reply.nullBulk();
    return;
  }
  let deadline = -1;
  if (expireArg > 0) {
    deadline = expireDeadline(call, expireArg, flags, 'getex');
    if (deadline < 0) return;
  }
  reply.bulkValue(v);
  // Never propagated as sent: as DEL (UNLINK), PEXPIREAT or PERSIST.
  if (flags & (SetFlag.EXAT | SetFlag.PXAT) && deadline <= now) {
    // An absolute deadline already past deletes the key, as EXPIREAT does.
    db.delete(key, now);
    notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
    server.dirty++;
    if (server.propagation.active) call.propagateAs = [lazyExpireDel(server), args.buf(1)];
  } else if (deadline >= 0) {
    db.setExpire(key, deadline);
    notifyKeyspaceEvent(server, 'g', 'expire', key, client.db);
    server.dirty++;
    if (server.propagation.active) call.propagateAs = ['PEXPIREAT', args.buf(1), String(deadline)];
  } else if (flags & SetFlag.PERSIST && db.persist(key)) {
    notifyKeyspaceEvent(server, 'g', 'persist', key, client.db);
    server.dirty++;
    if (server.propagation.active) call.propagateAs = ['PERSIST', args.buf(1)];
  }
}

function getdel(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const v = lookupString(call, db, key, true);
  if (v === null) return;
  if (v === undefined) {
    reply.nullBulk();
    return;
  }
  reply.bulkValue(v);
  db.delete(key, now);
  notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
  server.dirty++;
  if (server.propagation.active) call.propagateAs = ['DEL', args.buf(1)];
}

// ---- several keys -----------------------------------------------------------------------------

function mget({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db];
  const flags = touchFlags(client) | Lookup.Read;
  reply.array(args.count - 1);
  for (let i = 1; i < args.count; i++) {
    const v = db.lookup(args.str(i), now, flags);
    if (v === undefined || !isString(v)) reply.nullBulk();
    else reply.bulkValue(v);
  }
}

/** MSET and MSETNX (`nx`: nothing is set, and :0 is the reply, when any key exists). */
function msetGeneric({ args, reply, client, server, now }: CommandCall, nx: boolean): void {
  if (args.count % 2 === 0) {
    reply.error(`wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  if (nx) {
    for (let i = 1; i < args.count; i += 2) {
      if (db.lookup(args.str(i), now, touchFlags(client)) !== undefined) {
        reply.integer(0);
        return;
      }
    }
  }
  for (let i = 1; i < args.count; i += 2) {
    const key = args.str(i);
    db.set(key, args.value(i + 1));
    notifyKeyspaceEvent(server, '$', 'set', key, client.db);
  }
  server.dirty += (args.count - 1) / 2;
  if (nx) reply.integer(1);
  else reply.status('OK');
}

// ---- counters ---------------------------------------------------------------------------------

/**
 * INCR, DECR, INCRBY, DECRBY. A result in the safe integer range is stored integer-encoded (a
 * number, string-int.ts), so a counter is neither parsed nor formatted on its way through.
 */
function incrBy(call: CommandCall, delta: number | bigint): void {
  const { args, reply, client, server } = call;
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = lookupKeyStored(call, db, key, touchFlags(client));
  let cur: number | bigint = 0;
  if (typeof old === 'number') cur = old;
  else if (old !== undefined) {
    if (!isString(old)) {
      reply.error(ERR_WRONGTYPE);
      return;
    }
    const v = old.length <= 20 ? parseInteger(strText(old)) : null;
    if (v === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    cur = v;
  }
  const next = addInt64(cur, delta);
  if (next === null) {
    reply.error(ERR_OVERFLOW);
    return;
  }
  if (storableInt(next)) db.setInteger(key, next, true);
  else db.set(key, String(next), true);
  server.dirty++;
  notifyKeyspaceEvent(server, '$', 'incrby', key, client.db);
  reply.integer(next);
}

function deltaArg(call: CommandCall, negate: boolean): number | bigint | null {
  const v = parseInteger(call.args.str(2));
  if (v === null) {
    call.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  if (!negate) return v;
  if (typeof v === 'bigint' && v === -9223372036854775808n) {
    call.reply.error('decrement would overflow');
    return null;
  }
  return typeof v === 'number' ? -v : -v;
}


/** INCRBYFLOAT in Redis's long double arithmetic; the TTL stays. */
function incrbyfloat(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = lookupString(call, db, key, false);
  if (old === null) return;
  const cur = old === undefined ? parseLongDouble('0') : parseLongDouble(strText(old));
  const incr = cur === null ? null : parseLongDouble(args.str(2));
  if (cur === null || incr === null) {
    reply.error(ERR_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(cur, incr);
  if (sum === null || sum.inf) {
    reply.error(ERR_NAN_INFINITY);
    return;
  }
  const text = formatLongDouble(sum);
  db.set(key, textValue(text), true);
  server.dirty++;
  notifyKeyspaceEvent(server, '$', 'incrbyfloat', key, client.db);
  reply.bulkStr(text);
  // Propagated as SET with the result, so that float formatting can't differ on a replica.
  if (server.propagation.active) call.propagateAs = ['SET', args.buf(1), text, 'KEEPTTL'];
}

// ---- byte ranges --------------------------------------------------------------------------------

function append(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = lookupString(call, db, key, false);
  if (old === null) return;
  let total: number;
  if (old === undefined) {
    db.set(key, args.value(2));
    total = args.len(2);
  } else {
    if (!checkStringLength(call, old.length, args.len(2))) return;
    const v = appendBytes(old, args.buf(2));
    db.set(key, v, true);
    total = v.length;
  }
  notifyKeyspaceEvent(server, '$', 'append', key, client.db);
  server.dirty++;
  reply.integer(total);
}

function strlen(call: CommandCall): void {
  const v = lookupString(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (v === undefined) call.reply.integer(0);
  else if (v !== null) call.reply.integer(v.length);
}

/** GETRANGE and SUBSTR: inclusive byte range, negative indexes from the end, clamped. */
function getrange(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const s = parseInteger(args.str(2));
  const e = s === null ? null : parseInteger(args.str(3));
  if (s === null || e === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const v = lookupString(call, server.keyspace.dbs[client.db], args.str(1), true);
  if (v === null) return;
  const len = v === undefined ? 0 : v.length;
  if (v === undefined || (s < 0 && e < 0 && s > e)) {
    reply.bulkStr('');
    return;
  }
  let start = clampCount(s);
  let end = clampCount(e);
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = Math.max(0, len + end);
  if (end >= len) end = len - 1;
  if (start > end || len === 0) reply.bulkStr('');
  else if (typeof v === 'string') reply.bulkStr(v.slice(start, end + 1));
  else reply.bulk(v.subarray(start, end + 1));
}

function setrange(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const o = parseInteger(args.str(2));
  if (o === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (o < 0) {
    reply.error('offset is out of range');
    return;
  }
  const offset = clampCount(o);
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = lookupString(call, db, key, false);
  if (old === null) return;
  const add = args.len(3);
  if (add === 0) {
    reply.integer(old === undefined ? 0 : old.length);
    return;
  }
  if (!checkStringLength(call, offset, add)) return;
  const bytes = editableBytes(old, offset + add);
  bytes.set(args.buf(3), offset);
  if (bytes === old) db.touch(key);
  else db.set(key, fromBytes(bytes), true);
  notifyKeyspaceEvent(server, '$', 'setrange', key, client.db);
  server.dirty++;
  reply.integer(bytes.length);
}

// ---- the rows -----------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const ROW_RO = [{ flags: ['RO'], begin: 1, lastKey: 0, step: 1 }];
const ROW_RO_ACCESS = [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }];
const ROW_RW_ACCESS_UPDATE = [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }];
const ROW_OW_UPDATE = [{ flags: ['OW', 'update'], begin: 1, lastKey: 0, step: 1 }];
const GETRANGE_COMPLEXITY = 'O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.';

export const stringCommands: CommandDef[] = [
  {
    name: 'get', arity: 2, flags: F.Readonly | F.Fast, acl: ['read', ...STR, 'fast'], group: 'string', since: '1.0.0',
    summary: 'Returns the string value of a key.', complexity: 'O(1)', ...key1, keySpecs: ROW_RO_ACCESS, handler: get,
  },
  {
    name: 'set', arity: -3, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '1.0.0',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    complexity: 'O(1)', ...key1,
    keySpecs: [{ notes: 'RW and ACCESS due to the optional `GET` argument', flags: ['RW', 'access', 'update', 'variable_flags'], begin: 1, lastKey: 0, step: 1 }],
    handler: set,
  },
  {
    name: 'setnx', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string', since: '1.0.0',
    summary: 'Set the string value of a key only when the key doesn\'t exist.', complexity: 'O(1)', ...key1,
    keySpecs: [{ flags: ['OW', 'insert'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => setGeneric(c, SetFlag.NX, 2, -1, 'setnx', true),
  },
  {
    name: 'setex', arity: 4, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '2.0.0',
    summary: 'Sets the string value and expiration time of a key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_OW_UPDATE, handler: (c) => setGeneric(c, SetFlag.EX, 3, 2, 'setex'),
  },
  {
    name: 'psetex', arity: 4, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '2.6.0',
    summary: 'Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_OW_UPDATE, handler: (c) => setGeneric(c, SetFlag.PX, 3, 2, 'psetex'),
  },
  {
    name: 'getex', arity: -2, flags: F.Write | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string', since: '6.2.0',
    summary: 'Returns the string value of a key after setting its expiration time.', complexity: 'O(1)', ...key1,
    keySpecs: [{ notes: 'RW and UPDATE because it changes the TTL', flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: getex,
  },
  {
    // Deprecated in favour of SET ... GET, which it is: the old value, then a plain SET (the TTL goes).
    name: 'getset', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Returns the previous string value of a key after setting it to a new value.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_RW_ACCESS_UPDATE, handler: (c) => setGeneric(c, SetFlag.GET, 2, -1, 'getset'),
  },
  {
    name: 'getdel', arity: 2, flags: F.Write | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string', since: '6.2.0',
    summary: 'Returns the string value of a key after deleting the key.', complexity: 'O(1)', ...key1,
    keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1 }], handler: getdel,
  },
  {
    name: 'incr', arity: 2, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Increments the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_RW_ACCESS_UPDATE, handler: (c) => incrBy(c, 1),
  },
  {
    name: 'decr', arity: 2, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_RW_ACCESS_UPDATE, handler: (c) => incrBy(c, -1),
  },
  {
    name: 'incrby', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_RW_ACCESS_UPDATE,
    handler: (c) => {
      const d = deltaArg(c, false);
      if (d !== null) incrBy(c, d);
    },
  },
  {
    name: 'decrby', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_RW_ACCESS_UPDATE,
    handler: (c) => {
      const d = deltaArg(c, true);
      if (d !== null) incrBy(c, d);
    },
  },
  {
    name: 'incrbyfloat', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '2.6.0', summary: 'Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: ROW_RW_ACCESS_UPDATE, handler: incrbyfloat,
  },
  {
    name: 'mget', arity: -2, flags: F.Readonly | F.Fast, acl: ['read', ...STR, 'fast'], group: 'string', since: '1.0.0',
    summary: 'Atomically returns the string values of one or more keys.', complexity: 'O(N) where N is the number of keys to retrieve.',
    firstKey: 1, lastKey: -1, step: 1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: -1, step: 1 }],
    tips: ['request_policy:multi_shard'], handler: mget,
  },
  {
    name: 'mset', arity: -3, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '1.0.1',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to set.', firstKey: 1, lastKey: -1, step: 2,
    keySpecs: [{ flags: ['OW', 'update'], begin: 1, lastKey: -1, step: 2 }],
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], handler: (c) => msetGeneric(c, false),
  },
  {
    name: 'msetnx', arity: -3, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '1.0.1',
    summary: 'Atomically modifies the string values of one or more keys only when all keys don\'t exist.',
    complexity: 'O(N) where N is the number of keys to set.', firstKey: 1, lastKey: -1, step: 2,
    keySpecs: [{ flags: ['OW', 'insert'], begin: 1, lastKey: -1, step: 2 }],
    tips: ['request_policy:multi_shard', 'response_policy:agg_min'], handler: (c) => msetGeneric(c, true),
  },
  {
    name: 'append', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string', since: '2.0.0',
    summary: 'Appends a string to the value of a key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation.',
    ...key1, keySpecs: [{ flags: ['RW', 'insert'], begin: 1, lastKey: 0, step: 1 }], handler: append,
  },
  {
    name: 'strlen', arity: 2, flags: F.Readonly | F.Fast, acl: ['read', ...STR, 'fast'], group: 'string', since: '2.2.0',
    summary: 'Returns the length of a string value.', complexity: 'O(1)', ...key1, keySpecs: ROW_RO, handler: strlen,
  },
  {
    name: 'getrange', arity: 4, flags: F.Readonly, acl: ['read', ...STR, 'slow'], group: 'string', since: '2.4.0',
    summary: 'Returns a substring of the string stored at a key.', complexity: GETRANGE_COMPLEXITY, ...key1,
    keySpecs: ROW_RO_ACCESS, handler: getrange,
  },
  {
    name: 'substr', arity: 4, flags: F.Readonly, acl: ['read', ...STR, 'slow'], group: 'string', since: '1.0.0',
    summary: 'Returns a substring from a string value.', complexity: GETRANGE_COMPLEXITY, ...key1,
    keySpecs: ROW_RO_ACCESS, handler: getrange,
  },
  {
    name: 'setrange', arity: 4, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '2.2.0',
    summary: 'Overwrites a part of a string value with another by an offset. Creates the key if it doesn\'t exist.',
    complexity: 'O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument.',
    ...key1, keySpecs: [{ flags: ['RW', 'update'], begin: 1, lastKey: 0, step: 1 }], handler: setrange,
  },
];
