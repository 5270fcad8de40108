// Sorted set commands that take members out or pick them: ZPOPMIN, ZPOPMAX, ZMPOP and the
// blocking BZPOPMIN, BZPOPMAX, BZMPOP (t_zset.c genericZpopCommand and friends), plus the
// readers that do not go by rank: ZRANDMEMBER and ZSCAN. A blocking pop that finds no data
// blocks like BLPOP (inside MULTI it answers the timeout reply, a null array, at once); when a
// key it waits on is signalled it runs again and serves itself if a sorted set is there.
import { ClientFlag } from '../clients/flags.js';
import type { Db } from '../data/keyspace.js';
import { NIL, RedisZset } from '../data/zset.js';
import { d2string, formatG17 } from '../protocol/fpconv.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { notifyKeyspaceEvent } from './notify.js';
import type { CommandCall } from '../table/table.js';
import { blockingDeadline } from './timeout.js';
import { longArg } from './zset-args.js';
import { beginScored, lookupZset, replyScored } from './zset-util.js';
import { ERR_COUNT_POSITIVE, ERR_INVALID_CURSOR, ERR_NOT_INTEGER, ERR_NUMKEYS, ERR_POSITIVE, ERR_SYNTAX } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { parseInteger } from '../util/numbers.js';
import { lookupKey } from './lookup.js';

const LONG_MAX = 9223372036854775807n;
const replyNullArray = (r: ReplyWriter): void => r.nullArray();

/** The reply shapes genericZpopCommand produces. */
const enum PopShape {
  /** ZPOPMIN/MAX without COUNT, and with COUNT in RESP2: member, score, member, score... */
  Flat,
  /** ZPOPMIN/MAX with COUNT in RESP3: [[member, score], ...]. */
  Nested,
  /** BZPOPMIN/MAX: key, member, score. */
  KeyFlat,
  /** ZMPOP/BZMPOP: [key, [[member, score], ...]]. */
  KeyNested,
}

/**
 * The first of args[first..last] that holds a sorted set: its index, -1 when none does, or -2
 * once WRONGTYPE is replied for a key holding another type (met before any sorted set).
 */
function firstZset(call: CommandCall, db: Db, first: number, last: number): number {
  for (let i = first; i <= last; i++) {
    const zs = lookupZset(call, db, call.args.str(i));
    if (zs === null) return -2;
    if (zs !== undefined) return i;
  }
  return -1;
}

/** Pops up to `count` members (count >= 1) from the sorted set at args[keyAt] and replies them. */
function popAndReply(call: CommandCall, db: Db, keyAt: number, max: boolean, count: number, shape: PopShape): void {
  const { reply, server } = call;
  const key = call.args.str(keyAt);
  const zs = lookupKey(call, db, key) as RedisZset;
  const n = Math.min(count, zs.size);
  switch (shape) {
    case PopShape.Flat:
      reply.array(n * 2);
      break;
    case PopShape.Nested:
      reply.array(n);
      break;
    case PopShape.KeyFlat:
      reply.array(n * 2 + 1);
      reply.bulkStr(key);
      break;
    case PopShape.KeyNested:
      reply.array(2);
      reply.bulkStr(key);
      reply.array(n);
      break;
  }
  const nested = shape === PopShape.Nested || shape === PopShape.KeyNested;
  for (let i = 0; i < n; i++) {
    const id = max ? zs.last : zs.first;
    const member = zs.memberOf(id);
    if (nested) reply.array(2);
    reply.bulkStr(member);
    reply.double(zs.scoreOf(id));
    zs.delete(member);
  }
  server.dirty += n;
  // BZPOP* as ZPOP* key, [B]ZMPOP as ZPOP* key count (what was taken at most).
  if (server.propagation.active && (shape === PopShape.KeyFlat || shape === PopShape.KeyNested)) {
    call.propagateAs = [max ? 'ZPOPMAX' : 'ZPOPMIN', call.args.buf(keyAt)];
    if (shape === PopShape.KeyNested) call.propagateAs.push(String(n));
  }
  notifyKeyspaceEvent(server, 'z', max ? 'zpopmax' : 'zpopmin', key, db.id);
  if (zs.size === 0) {
    db.delete(key, call.now);
    notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
  }
  db.touch(key);
}

/** ZPOPMIN / ZPOPMAX key [count]. */
export function zpop(call: CommandCall, max: boolean): void {
  const { args, reply, client, server } = call;
  if (args.count > 3) {
    reply.error(ERR_SYNTAX);
    return;
  }
  let count = -1;
  if (args.count === 3) {
    const c = longArg(args, 2);
    if (c === null || c < 0) {
      reply.error(ERR_POSITIVE);
      return;
    }
    count = c;
  }
  const db = server.keyspace.dbs[client.db];
  const at = firstZset(call, db, 1, 1);
  if (at === -2) return;
  if (at === -1 || count === 0) {
    reply.array(0);
    return;
  }
  const shape = count !== -1 && reply.resp === 3 ? PopShape.Nested : PopShape.Flat;
  popAndReply(call, db, at, max, count === -1 ? 1 : count, shape);
}

/**
 * On a re-run after a key got data: does any of the keys hold a sorted set now? If none does,
 * the client keeps waiting, as Redis only serves a blocked client from the type it waits for.
 */
function anyZset(call: CommandCall, db: Db, first: number, last: number): boolean {
  for (let i = first; i <= last; i++) if (db.lookup(call.args.str(i), call.now) instanceof RedisZset) return true;
  return false;
}

/** No data: block on args[first..last], or where blocking is denied (MULTI) reply a null array. */
function block(call: CommandCall, first: number, last: number, deadline: number): void {
  if (call.client.flags & (ClientFlag.Multi | ClientFlag.DenyBlocking)) {
    call.reply.nullArray();
    return;
  }
  const keys: string[] = [];
  for (let i = first; i <= last; i++) keys.push(call.args.str(i));
  call.server.blocked.blockOnKeys(call, keys, deadline, replyNullArray);
}

/**
 * blockingGenericZpopCommand: the timeout at args[timeoutAt], keys args[first..last]. Serves
 * from the first key holding a sorted set, else blocks.
 */
function blockingPop(
  call: CommandCall, first: number, last: number, timeoutAt: number, max: boolean, count: number, shape: PopShape,
): void {
  const { args, reply, client, server, now } = call;
  const deadline = blockingDeadline(args.str(timeoutAt), now);
  if (typeof deadline === 'string') {
    reply.error(deadline);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  if (!call.reprocessing || anyZset(call, db, first, last)) {
    const at = firstZset(call, db, first, last);
    if (at === -2) return;
    if (at >= 0) {
      popAndReply(call, db, at, max, count, shape);
      return;
    }
  }
  block(call, first, last, deadline);
}

/** BZPOPMIN / BZPOPMAX key [key ...] timeout: replies [key, member, score]. */
export function bzpop(call: CommandCall, max: boolean): void {
  const last = call.args.count - 2;
  blockingPop(call, 1, last, last + 1, max, 1, PopShape.KeyFlat);
}

/**
 * ZMPOP numkeys key... MIN|MAX [COUNT n] and BZMPOP timeout numkeys ...: `numkeysAt` is the
 * index of numkeys. Replies [key, [[member, score], ...]] from the first key holding a set.
 */
function mpop(call: CommandCall, numkeysAt: number, blocking: boolean): void {
  const { args, reply, client, server } = call;
  const numkeys = longArg(args, numkeysAt);
  if (numkeys === null || numkeys < 1) {
    reply.error(ERR_NUMKEYS);
    return;
  }
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= args.count) {
    reply.error(ERR_SYNTAX);
    return;
  }
  let max: boolean;
  if (args.is(whereAt, 'min')) max = false;
  else if (args.is(whereAt, 'max')) max = true;
  else {
    reply.error(ERR_SYNTAX);
    return;
  }
  let count = -1;
  for (let j = whereAt + 1; j < args.count; j++) {
    if (count === -1 && args.is(j, 'count') && j + 1 < args.count) {
      const c = longArg(args, ++j);
      if (c === null || c < 1) {
        reply.error(ERR_COUNT_POSITIVE);
        return;
      }
      count = c;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (count === -1) count = 1;
  const first = numkeysAt + 1;
  const last = numkeysAt + numkeys;
  if (blocking) {
    blockingPop(call, first, last, 1, max, count, PopShape.KeyNested);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const at = firstZset(call, db, first, last);
  if (at === -2) return;
  if (at === -1) reply.nullArray();
  else popAndReply(call, db, at, max, count, PopShape.KeyNested);
}

export const zmpop = (call: CommandCall): void => mpop(call, 1, false);
export const bzmpop = (call: CommandCall): void => mpop(call, 2, true);

// ---- ZRANDMEMBER ------------------------------------------------------------------------------

/** ZRANDMEMBER key [count [WITHSCORES]]. */
export function zrandmember(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  if (args.count < 3) {
    const zs = lookupZset(call, db, args.str(1));
    if (zs === null) return;
    if (zs === undefined) reply.nullBulk();
    else reply.bulkStr(zs.memberOf(zs.random()));
    return;
  }
  const raw = parseInteger(args.str(2));
  if (raw === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const big = BigInt(raw);
  if (big < -LONG_MAX || big > LONG_MAX) {
    reply.error('value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    return;
  }
  if (args.count > 4 || (args.count === 4 && !args.is(3, 'withscores'))) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const withScores = args.count === 4;
  if (withScores && (big < -LONG_MAX / 2n || big > LONG_MAX / 2n)) {
    reply.error('value is out of range');
    return;
  }
  const zs = lookupZset(call, db, args.str(1));
  if (zs === null) return;
  const count = Math.abs(Number(raw));
  if (zs === undefined || count === 0) {
    reply.array(0);
    return;
  }
  if (raw < 0 || count === 1) {
    // Repetitions allowed: `count` independent picks.
    beginScored(reply, count, withScores);
    for (let i = 0; i < count; i++) {
      const n = zs.random();
      replyScored(reply, zs.memberOf(n), zs.scoreOf(n), withScores);
    }
    return;
  }
  const size = zs.size;
  if (count >= size) {
    // The whole set, in the order Redis's set-operation iterator walks it: highest score first.
    beginScored(reply, size, withScores);
    for (let n = zs.last; n !== NIL; n = zs.prev(n)) replyScored(reply, zs.memberOf(n), zs.scoreOf(n), withScores);
    return;
  }
  // Distinct members: a listpack yields its sample in listpack (score) order, a hashtable in no
  // particular order.
  const ranks = distinctRanks(size, count);
  if (zs.isListpack(server.config.int('zset-max-listpack-entries'), server.config.int('zset-max-listpack-value'))) {
    ranks.sort((a, b) => a - b);
  }
  beginScored(reply, count, withScores);
  for (const r of ranks) {
    const n = zs.at(r);
    replyScored(reply, zs.memberOf(n), zs.scoreOf(n), withScores);
  }
}

/** `count` distinct ranks below `size` (count < size), uniformly chosen. */
function distinctRanks(size: number, count: number): number[] {
  if (count * 3 > size) {
    // A partial Fisher-Yates shuffle of all ranks.
    const all = Array.from({ length: size }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    return all;
  }
  const seen = new Set<number>();
  while (seen.size < count) seen.add(Math.floor(Math.random() * size));
  return [...seen];
}

// ---- ZSCAN ------------------------------------------------------------------------------------

/**
 * db.c parseScanCursorOrReply (7.2): strtoul up to the first NUL, no leading space, no overflow;
 * "" is 0 and "-1" wraps. Returned as a number (cursors beyond 2^53 are past any seq anyway).
 */
function cursorArg(s: string): number | null {
  const nul = s.indexOf('\0');
  const t = nul >= 0 ? s.slice(0, nul) : s;
  if (t.length === 0) return 0;
  const m = /^([+-]?)([0-9]+)$/.exec(t);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > 0xffffffffffffffffn) return null;
  const u = m[1] === '-' && v !== 0n ? (1n << 64n) - v : v;
  return Number(u);
}

/** ZSCAN key cursor [MATCH pattern] [COUNT count]. */
export function zscan(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const cursor = cursorArg(args.str(2));
  if (cursor === null) {
    reply.error(ERR_INVALID_CURSOR);
    return;
  }
  const zs = lookupZset(call, server.keyspace.dbs[client.db], args.str(1));
  if (zs === null) return;
  if (zs === undefined) {
    reply.array(2);
    reply.bulkStr('0');
    reply.array(0);
    return;
  }
  let count = 10;
  let pattern: string | undefined;
  for (let i = 3; i < args.count; i += 2) {
    const left = args.count - i;
    if (args.is(i, 'count') && left >= 2) {
      const c = longArg(args, i + 1);
      if (c === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (c < 1) {
        reply.error(ERR_SYNTAX);
        return;
      }
      count = c;
    } else if (args.is(i, 'match') && left >= 2) {
      const p = args.str(i + 1);
      pattern = p === '*' ? undefined : p;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const found: string[] = [];
  let next = 0;
  if (zs.isListpack(server.config.int('zset-max-listpack-entries'), server.config.int('zset-max-listpack-value'))) {
    // A listpack is returned whole, whatever the cursor, with scores as the listpack keeps them.
    for (let n = zs.first; n !== NIL; n = zs.next(n)) {
      const m = zs.memberOf(n);
      if (pattern === undefined || globMatch(pattern, m)) found.push(m, d2string(zs.scoreOf(n)));
    }
  } else {
    // The hashtable walk prints scores with "%.17Lg".
    next = zs.scan(cursor, count, (n) => {
      const m = zs.memberOf(n);
      if (pattern === undefined || globMatch(pattern, m)) found.push(m, formatG17(zs.scoreOf(n)));
    });
  }
  reply.array(2);
  reply.bulkStr(String(next));
  reply.array(found.length);
  for (const s of found) reply.bulkStr(s);
}
