// Typed lookups shared by command families: the lookup flags of the calling client, and the
// string at a key (WRONGTYPE replied for another type).
import { ClientFlag } from '../clients/flags.js';
import type { Client } from '../clients/client.js';
import { isString, Lookup, type Db, type Value } from '../data/keyspace.js';
import type { StoredValue } from '../data/string-int.js';
import type { RedisString } from '../data/string.js';
import { ERR_WRONGTYPE } from '../util/errors.js';
import type { CommandCall } from '../table/table.js';

/** Lookup flags for a command run by `c`: a CLIENT NO-TOUCH client leaves access times alone. */
export function touchFlags(c: Client): number {
  return c.flags & ClientFlag.NoTouch ? Lookup.NoTouch : 0;
}

/**
 * db.lookup() at the command's time: call.now becomes the keyspace's clock, which the lookup
 * reads. The hot commands look keys up through this: a clock handed to a function V8 did not
 * inline is boxed, a heap number per command, and those set how often scavenges pause the server.
 */
export function lookupKey(call: CommandCall, db: Db, key: string, flags = 0): Value | undefined {
  call.server.keyspace.clock = call.now;
  return db.lookupNow(key, flags);
}

/** As lookupKey, an integer-encoded string as its number (Db.lookupStored). */
export function lookupKeyStored(call: CommandCall, db: Db, key: string, flags = 0): StoredValue<Value> | undefined {
  call.server.keyspace.clock = call.now;
  return db.lookupStoredNow(key, flags);
}

/**
 * The string at `key`: undefined when missing; null, with WRONGTYPE replied, for another type.
 * `read` is Redis's lookupKeyRead (keyspace hits and misses count) rather than lookupKeyWrite.
 */
export function lookupString(call: CommandCall, db: Db, key: string, read: boolean): RedisString | undefined | null {
  const v = lookupKey(call, db, key, touchFlags(call.client) | (read ? Lookup.Read : 0));
  if (v === undefined || isString(v)) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}
