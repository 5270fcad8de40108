// What the list command files share: the typed lookup, creating and popping at either end, the
// bookkeeping after elements are removed, and blocking on keys.
import type { RedisString } from '../data/string.js';
import { ClientFlag } from '../clients/flags.js';
import type { Db } from '../data/keyspace.js';
import { RedisList } from '../data/list.js';
import type { Args } from '../engine/args.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { type CommandCall } from '../table/table.js';
import { notifyKeyspaceEvent } from './notify.js';
import { ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { lookupKey } from './lookup.js';

export const enum End {
  Head = 0,
  Tail = 1,
}

export const replyNullArray = (r: ReplyWriter): void => r.nullArray();

/** The list at `key`: undefined when missing; null, with WRONGTYPE replied, for another type. */
export function lookupList(call: CommandCall, db: Db, key: string): RedisList | undefined | null {
  const v = lookupKey(call, db, key);
  if (v === undefined || v instanceof RedisList) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}

/** A new empty list stored at `key` (the caller pushes at once: keys never hold empty lists). */
export function createList(db: Db, key: string): RedisList {
  const list = new RedisList();
  db.set(key, list);
  return list;
}

export function popEnd(list: RedisList, end: End): RedisString {
  return (end === End.Head ? list.popHead() : list.popTail())!;
}

export function pushEnd(list: RedisList, end: End, value: RedisString): void {
  if (end === End.Head) list.pushHead(value);
  else list.pushTail(value);
}

/**
 * Redis's listElementsRemoved: the key goes when the list is empty (deleting tells WATCH and
 * tracking), else the in-place change is signalled; each element counts as a change.
 */
/** After popping `n` from `end`: the lpop/rpop notification, and the key goes when empty (del). */
export function elementsRemoved(call: CommandCall, db: Db, key: string, list: RedisList, n: number, end: End): void {
  notifyKeyspaceEvent(call.server, 'l', end === End.Head ? 'lpop' : 'rpop', key, call.client.db);
  if (list.length === 0) {
    db.delete(key, call.now);
    notifyKeyspaceEvent(call.server, 'g', 'del', key, call.client.db);
  } else db.touch(key);
  call.server.dirty += n;
}

/** Replies `n` elements popped from `end`, in pop order. */
export function replyPopped(reply: ReplyWriter, list: RedisList, end: End, n: number): void {
  reply.array(n);
  for (let i = 0; i < n; i++) reply.bulkValue(popEnd(list, end));
}

/** LEFT or RIGHT, any case; -1 after a syntax error reply. */
export function whereArg(call: CommandCall, i: number): End | -1 {
  if (call.args.is(i, 'left')) return End.Head;
  if (call.args.is(i, 'right')) return End.Tail;
  call.reply.error(ERR_SYNTAX);
  return -1;
}

/**
 * A 64-bit integer argument as a number; beyond 2^53 it is clamped, which changes nothing for
 * indexes and counts of a list (whose length is far below that). Null when not an integer.
 */
export function longArg(args: Args, i: number): number | null {
  const v = parseInteger(args.str(i));
  if (typeof v !== 'bigint') return v;
  return v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

export function keysOf(args: Args, first: number, last: number): string[] {
  const keys: string[] = [];
  for (let i = first; i <= last; i++) keys.push(args.str(i));
  return keys;
}

/**
 * On a re-run after a key got data: does any of the keys hold a list now? If none does (the
 * data went, or the key changed type), the client keeps waiting, as Redis only re-runs a
 * blocked command when a key it waits on holds the type it waits for.
 */
export function anyList(call: CommandCall, db: Db, first: number, last: number): boolean {
  for (let i = first; i <= last; i++) if (db.lookup(call.args.str(i), call.now) instanceof RedisList) return true;
  return false;
}

/**
 * No data for a blocking command: block, or where blocking is denied (inside MULTI) answer at
 * once with the null reply Redis gives there (null array; BLMOVE: null bulk). A timed-out list
 * block is always answered with a null array, BLMOVE's too (replyToBlockedClientTimedOut).
 */
export function block(call: CommandCall, keys: readonly string[], deadline: number, deniedNullBulk: boolean): void {
  if (call.client.flags & (ClientFlag.Multi | ClientFlag.DenyBlocking)) {
    if (deniedNullBulk) call.reply.nullBulk();
    else call.reply.nullArray();
    return;
  }
  call.server.blocked.blockOnKeys(call, keys, deadline, replyNullArray);
}
