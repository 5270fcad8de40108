// Helpers shared by the set commands (sets.ts, set-random.ts): lookups, creation, removal.
import { Lookup, type Db } from '../data/keyspace.js';
import { isIntegerMember, RedisSet, SetStart } from '../data/set.js';
import { notifyKeyspaceEvent } from './notify.js';
import { type CommandCall } from '../table/table.js';
import { ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { clampCount } from './args.js';
import { lookupKey, touchFlags } from './lookup.js';

// ---- helpers ----------------------------------------------------------------------------------

/**
 * The set at `key`: undefined when missing; null, with WRONGTYPE replied, for another type.
 * `read` is Redis's lookupKeyRead (keyspace hits and misses count) rather than lookupKeyWrite.
 */
export function lookupSet(call: CommandCall, db: Db, key: string, read: boolean): RedisSet | undefined | null {
  const v = lookupKey(call, db, key, touchFlags(call.client) | (read ? Lookup.Read : 0));
  if (v === undefined || v instanceof RedisSet) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}

/**
 * Redis's setTypeCreate(first, hint): an intset for an integer first member when the hint fits
 * one, else a listpack (which the hint may turn into a hashtable at once).
 */
export function createSet(call: CommandCall, first: string, sizeHint: number): RedisSet {
  const intset = isIntegerMember(first) && sizeHint <= call.server.config.int('set-max-intset-entries');
  const s = new RedisSet(intset ? SetStart.Intset : SetStart.Listpack);
  s.sizeHint(sizeHint);
  return s;
}

/**
 * Members were removed from the set at `key`: the key goes when the set is empty (deleting
 * signals it), else the in-place change is signalled; `event` and, for the deletion, "del" are
 * published.
 */
export function membersRemoved(call: CommandCall, db: Db, key: string, s: RedisSet, event: string): void {
  const emptied = s.size === 0;
  if (emptied) db.delete(key, call.now);
  else db.touch(key);
  notifyKeyspaceEvent(call.server, 's', event, key, call.client.db);
  if (emptied) notifyKeyspaceEvent(call.server, 'g', 'del', key, call.client.db);
}

/** A non-negative count (getPositiveLongFromObjectOrReply); null after the error reply. */
export function positiveArg(call: CommandCall, i: number, msg: string): number | null {
  const v = parseInteger(call.args.str(i));
  if (v === null || v < 0) {
    call.reply.error(msg);
    return null;
  }
  return clampCount(v);
}

export function replyMembers(call: CommandCall, members: readonly string[]): void {
  call.reply.set(members.length);
  for (const m of members) call.reply.bulkStr(m);
}

