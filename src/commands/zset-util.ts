// What the sorted set command files share: the typed lookup, the reply shape of member lists
// with scores (flat pairs in RESP2, [member, score] arrays in RESP3), and the bookkeeping after
// members are removed or a result is stored (key deletion, signals, notifications, dirty).
import type { Db } from '../data/keyspace.js';
import { RedisZset } from '../data/zset.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { notifyKeyspaceEvent } from './notify.js';
import type { CommandCall } from '../table/table.js';
import { ERR_WRONGTYPE } from '../util/errors.js';
import { lookupKey } from './lookup.js';

/** The sorted set at `key`: undefined when missing; null, with WRONGTYPE replied, for another type. */
export function lookupZset(call: CommandCall, db: Db, key: string): RedisZset | undefined | null {
  const v = lookupKey(call, db, key);
  if (v === undefined || v instanceof RedisZset) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}

/**
 * The header of a member list: with scores it is flat pairs in RESP2 and an array of
 * [member, score] arrays in RESP3 (clients must keep the order, so not a map).
 */
export function beginScored(reply: ReplyWriter, n: number, withScores: boolean): void {
  reply.array(withScores && reply.resp === 2 ? n * 2 : n);
}

/** One member of a list begun with beginScored. */
export function replyScored(reply: ReplyWriter, member: string, score: number, withScores: boolean): void {
  if (!withScores) {
    reply.bulkStr(member);
    return;
  }
  if (reply.resp === 3) reply.array(2);
  reply.bulkStr(member);
  reply.double(score);
}

/**
 * After members were removed in place: the key goes when the set is empty, the change is
 * signalled, and `event` (then "del") is published, as t_zset.c does for its removals.
 */
export function membersRemoved(call: CommandCall, db: Db, key: string, zs: RedisZset, n: number, event: string): void {
  const { server } = call;
  const removed = zs.size === 0;
  if (removed) db.delete(key, call.now);
  db.touch(key);
  notifyKeyspaceEvent(server, 'z', event, key, db.id);
  if (removed) notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
  server.dirty += n;
}

/**
 * Stores a result computed by a STORE command (setKey: replaces any value, drops the TTL) and
 * replies its size; an empty result deletes the destination instead (and replies 0).
 */
export function storeResult(call: CommandCall, dst: string, result: RedisZset, event: string): void {
  const { server, client, reply } = call;
  const db = server.keyspace.dbs[client.db];
  if (result.size > 0) {
    db.set(dst, result);
    reply.integer(result.size);
    notifyKeyspaceEvent(server, 'z', event, dst, db.id);
    server.blocked.signalKeyAsReady(client.db, dst);
    server.dirty++;
    return;
  }
  reply.integer(0);
  if (db.delete(dst, call.now)) {
    notifyKeyspaceEvent(server, 'g', 'del', dst, db.id);
    server.dirty++;
  }
}
