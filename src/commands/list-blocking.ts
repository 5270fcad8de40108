// LMOVE, RPOPLPUSH, BLMOVE, BRPOPLPUSH, BLPOP, BRPOP, LMPOP and BLMPOP (t_list.c): moving an
// element between lists and popping from the first non-empty of several keys, blocking when
// there is none.
import type { Db } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import { type CommandCall } from '../table/table.js';
import { notifyKeyspaceEvent } from './notify.js';
import { blockingDeadline } from './timeout.js';
import { ERR_COUNT_POSITIVE, ERR_NUMKEYS, ERR_SYNTAX } from '../util/errors.js';
import { anyList, block, createList, elementsRemoved, End, keysOf, longArg, lookupList, popEnd, pushEnd, replyPopped, whereArg } from './list-util.js';

/** LMOVE's body once the source (args[1]) is known to hold a list: the destination is args[2]. */
export function move(call: CommandCall, db: Db, source: RedisList, from: End, to: End): void {
  const { args, reply, client, server } = call;
  const dstKey = args.str(2);
  // Looked up before the pop: when source and destination are one key, this is the same list.
  let dest = lookupList(call, db, dstKey);
  if (dest === null) return;
  const value = popEnd(source, from);
  if (dest === undefined) dest = createList(db, dstKey);
  else db.touch(dstKey);
  pushEnd(dest, to, value);
  server.blocked.signalKeyAsReady(client.db, dstKey);
  notifyKeyspaceEvent(server, 'l', to === End.Head ? 'lpush' : 'rpush', dstKey, client.db);
  const srcKey = args.str(1);
  notifyKeyspaceEvent(server, 'l', from === End.Head ? 'lpop' : 'rpop', srcKey, client.db);
  if (source.length === 0) {
    db.delete(srcKey, call.now);
    notifyKeyspaceEvent(server, 'g', 'del', srcKey, client.db);
  } else db.touch(srcKey);
  server.dirty++;
  reply.bulkValue(value);
}

export function lmove(call: CommandCall): void {
  const from = whereArg(call, 3);
  if (from === -1) return;
  const to = whereArg(call, 4);
  if (to === -1) return;
  moveOrNull(call, from, to);
}

/** LMOVE / RPOPLPUSH once the ends are known: a missing source answers a null bulk. */
export function moveOrNull(call: CommandCall, from: End, to: End): void {
  const db = call.server.keyspace.dbs[call.client.db];
  const source = lookupList(call, db, call.args.str(1));
  if (source === null) return;
  if (source === undefined) call.reply.nullBulk();
  else move(call, db, source, from, to);
}

export function blmove(call: CommandCall): void {
  const from = whereArg(call, 3);
  if (from === -1) return;
  const to = whereArg(call, 4);
  if (to === -1) return;
  blockingMove(call, from, to, 5);
}

/** BLMOVE / BRPOPLPUSH once the ends are known; the timeout is args[timeoutAt]. */
export function blockingMove(call: CommandCall, from: End, to: End, timeoutAt: number): void {
  const { args, reply, client, server, now } = call;
  const deadline = blockingDeadline(args.str(timeoutAt), now);
  if (typeof deadline === 'string') {
    reply.error(deadline);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  if (!call.reprocessing || anyList(call, db, 1, 1)) {
    const source = lookupList(call, db, args.str(1));
    if (source === null) return;
    if (source !== undefined) {
      move(call, db, source, from, to);
      // BLMOVE as LMOVE, BRPOPLPUSH as RPOPLPUSH.
      if (server.propagation.active) {
        call.propagateAs = args.count === 6 ? ['LMOVE', args.buf(1), args.buf(2), args.buf(3), args.buf(4)] : ['RPOPLPUSH', args.buf(1), args.buf(2)];
      }
      return;
    }
  }
  block(call, keysOf(args, 1, 1), deadline, true);
}

/** BLPOP / BRPOP: keys are args[1 .. count-2], the timeout is last; replies [key, element]. */
export function bpop(call: CommandCall, end: End): void {
  const { args, reply, client, server, now } = call;
  const deadline = blockingDeadline(args.str(args.count - 1), now);
  if (typeof deadline === 'string') {
    reply.error(deadline);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const last = args.count - 2;
  if (!call.reprocessing || anyList(call, db, 1, last)) {
    for (let i = 1; i <= last; i++) {
      const key = args.str(i);
      const list = lookupList(call, db, key);
      if (list === null) return;
      if (list === undefined) continue;
      reply.array(2);
      reply.bulkStr(key);
      reply.bulkValue(popEnd(list, end));
      elementsRemoved(call, db, key, list, 1, end);
      if (server.propagation.active) call.propagateAs = [end === End.Head ? 'LPOP' : 'RPOP', args.buf(i)];
      return;
    }
  }
  block(call, keysOf(args, 1, last), deadline, false);
}

/**
 * LMPOP numkeys key... LEFT|RIGHT [COUNT n] and BLMPOP timeout numkeys ...: `numkeysAt` is the
 * index of numkeys. Replies [key, [elements...]] from the first key holding a list.
 */
export function mpop(call: CommandCall, numkeysAt: number, blocking: boolean): void {
  const { args, reply, client, server, now } = call;
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
  const end = whereArg(call, whereAt);
  if (end === -1) return;
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
  let deadline = 0;
  if (blocking) {
    const d = blockingDeadline(args.str(1), now);
    if (typeof d === 'string') {
      reply.error(d);
      return;
    }
    deadline = d;
  }
  const db = server.keyspace.dbs[client.db];
  const first = numkeysAt + 1;
  const last = numkeysAt + numkeys;
  if (!call.reprocessing || anyList(call, db, first, last)) {
    for (let i = first; i <= last; i++) {
      const key = args.str(i);
      const list = lookupList(call, db, key);
      if (list === null) return;
      if (list === undefined) continue;
      const n = Math.min(count, list.length);
      reply.array(2);
      reply.bulkStr(key);
      replyPopped(reply, list, end, n);
      elementsRemoved(call, db, key, list, n, end);
      // [B]LMPOP is propagated as [LR]POP key count (what was taken at most).
      if (server.propagation.active) call.propagateAs = [end === End.Head ? 'LPOP' : 'RPOP', args.buf(i), String(n)];
      return;
    }
  }
  if (blocking) block(call, keysOf(args, first, last), deadline, false);
  else reply.nullArray();
}
