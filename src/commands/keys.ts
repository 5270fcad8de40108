// Generic key commands (db.c): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX,
// COPY, MOVE, TOUCH. Each raises Redis's keyspace events and signals the keys it changes; keys it
// creates that clients may block on (lists and other aggregates) are signalled as ready.
import { cloneValue, isString, Lookup, typeName, type Db, type Value } from '../data/keyspace.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_INVALID_CURSOR, ERR_NOT_INTEGER, ERR_NO_SUCH_KEY, ERR_SYNTAX } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { parseInteger } from '../util/numbers.js';
import { ERR_SAME_OBJECT, ERR_DB_RANGE } from '../util/errors.js';
import { intArg, parseCursor } from './args.js';
import { touchFlags } from './lookup.js';

const F = CmdFlag;



/** A database index argument: its Db, or undefined after an error reply. */
function dbArg(call: CommandCall, i: number): Db | undefined {
  const id = intArg(call, i);
  if (id === null) return undefined;
  const db = call.server.keyspace.dbs[id];
  if (db === undefined) call.reply.error(ERR_DB_RANGE);
  return db;
}

/** dbAdd's signalKeyAsReady: clients blocked on `key` may want the aggregate now stored there. */
function signalIfAggregate(call: CommandCall, db: Db, key: string, v: Value): void {
  if (!isString(v)) call.server.blocked.signalKeyAsReady(db.id, key);
}

// ---- DEL, UNLINK, EXISTS, TYPE, TOUCH -------------------------------------------------------

function del({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db]!;
  let n = 0;
  for (let i = 1; i < args.count; i++) {
    const key = args.str(i);
    if (!db.delete(key, now)) continue;
    notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
    n++;
  }
  server.dirty += n;
  reply.integer(n);
}

function exists({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db]!;
  let n = 0;
  for (let i = 1; i < args.count; i++) if (db.lookup(args.str(i), now, Lookup.NoTouch | Lookup.Read) !== undefined) n++;
  reply.integer(n);
}

function type({ args, reply, client, server, now }: CommandCall): void {
  reply.status(typeName(server.keyspace.dbs[client.db]!.lookup(args.str(1), now, Lookup.NoTouch | Lookup.Read)));
}

/** TOUCH updates access times even for a CLIENT NO-TOUCH client: that is what it is for. */
function touch({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db]!;
  let n = 0;
  for (let i = 1; i < args.count; i++) if (db.lookup(args.str(i), now, Lookup.Read) !== undefined) n++;
  reply.integer(n);
}

// ---- KEYS, SCAN, RANDOMKEY ------------------------------------------------------------------

function keys({ args, reply, client, server, now }: CommandCall): void {
  const pattern = args.str(1);
  const match = pattern === '*' ? undefined : (k: string) => globMatch(pattern, k, false);
  const found = server.keyspace.dbs[client.db]!.keys(now, match);
  reply.array(found.length);
  for (const k of found) reply.bulkStr(k);
}


/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. The cursor is the insertion seq of the
 * next key (data/dict.ts): a key present for the whole scan is returned exactly once. Each call
 * visits up to COUNT keys, then drops those the pattern or type rejects and the expired ones.
 */
function scan(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const cursor = parseCursor(args.str(1));
  if (cursor === null) {
    reply.error(ERR_INVALID_CURSOR);
    return;
  }
  let count = 10;
  let pattern: string | undefined;
  let wantType: string | undefined;
  for (let i = 2; i < args.count; i += 2) {
    const hasValue = i + 1 < args.count;
    if (hasValue && args.is(i, 'count')) {
      const v = parseInteger(args.str(i + 1));
      if (v === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (v < 1) {
        reply.error(ERR_SYNTAX);
        return;
      }
      count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
    } else if (hasValue && args.is(i, 'match')) {
      const p = args.str(i + 1);
      pattern = p === '*' ? undefined : p;
    } else if (hasValue && args.is(i, 'type')) {
      wantType = args.lower(i + 1);
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const db = server.keyspace.dbs[client.db]!;
  const visited: string[] = [];
  const next = db.scan(cursor, count, visited);
  const out: string[] = [];
  for (const key of visited) {
    if (pattern !== undefined && !globMatch(pattern, key, false)) continue;
    if (wantType !== undefined && typeName(db.lookup(key, now, Lookup.NoTouch | Lookup.Read)) !== wantType) continue;
    if (db.peek(key, now) === undefined) continue;
    out.push(key);
  }
  reply.array(2);
  reply.bulkStr(String(next));
  reply.array(out.length);
  for (const k of out) reply.bulkStr(k);
}

function randomkey({ reply, client, server, now }: CommandCall): void {
  const key = server.keyspace.dbs[client.db]!.randomKey(now);
  if (key === undefined) reply.nullBulk();
  else reply.bulkStr(key);
}

// ---- RENAME, RENAMENX, MOVE, COPY -----------------------------------------------------------

function rename(call: CommandCall, nx: boolean): void {
  const { args, reply, client, server, now } = call;
  const db = server.keyspace.dbs[client.db]!;
  const src = args.str(1);
  const dst = args.str(2);
  const v = db.lookup(src, now, touchFlags(client));
  if (v === undefined) {
    reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (src === dst) {
    if (nx) reply.integer(0);
    else reply.status('OK');
    return;
  }
  if (db.lookup(dst, now, touchFlags(client)) !== undefined) {
    if (nx) {
      reply.integer(0);
      return;
    }
    db.delete(dst, now);
  }
  db.rename(src, dst);
  signalIfAggregate(call, db, dst, v);
  notifyKeyspaceEvent(server, 'g', 'rename_from', src, db.id);
  notifyKeyspaceEvent(server, 'g', 'rename_to', dst, db.id);
  server.dirty++;
  if (nx) reply.integer(1);
  else reply.status('OK');
}

function move(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  if (server.cluster !== undefined) {
    reply.error('MOVE is not allowed in cluster mode');
    return;
  }
  const src = server.keyspace.dbs[client.db]!;
  const dst = dbArg(call, 2);
  if (dst === undefined) return;
  if (dst === src) {
    reply.error(ERR_SAME_OBJECT);
    return;
  }
  const key = args.str(1);
  const v = src.lookup(key, now, touchFlags(client));
  if (v === undefined || dst.lookup(key, now, touchFlags(client)) !== undefined) {
    reply.integer(0);
    return;
  }
  src.moveTo(key, dst);
  signalIfAggregate(call, dst, key, v);
  notifyKeyspaceEvent(server, 'g', 'move_from', key, src.id);
  notifyKeyspaceEvent(server, 'g', 'move_to', key, dst.id);
  server.dirty++;
  reply.integer(1);
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copy(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const src = server.keyspace.dbs[client.db]!;
  let dst = src;
  let replace = false;
  for (let i = 3; i < args.count; i++) {
    if (args.is(i, 'replace')) {
      replace = true;
    } else if (args.is(i, 'db') && i + 1 < args.count) {
      const db = dbArg(call, ++i);
      if (db === undefined) return;
      dst = db;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const key = args.str(1);
  const newKey = args.str(2);
  if (src === dst && key === newKey) {
    reply.error(ERR_SAME_OBJECT);
    return;
  }
  const v = src.lookup(key, now, Lookup.Read | touchFlags(client));
  if (v === undefined) {
    reply.integer(0);
    return;
  }
  const expire = src.getExpire(key);
  const existing = dst.lookup(newKey, now, touchFlags(client)) !== undefined;
  if (existing && !replace) {
    reply.integer(0);
    return;
  }
  const dup = cloneValue(v);
  if (dup === undefined) {
    reply.error('unknown type object');
    return;
  }
  if (existing) dst.delete(newKey, now);
  dst.addCopy(newKey, dup, expire, now);
  signalIfAggregate(call, dst, newKey, dup);
  notifyKeyspaceEvent(server, 'g', 'copy_to', newKey, dst.id);
  server.dirty++;
  reply.integer(1);
}

// ---- the table ------------------------------------------------------------------------------

const KEYSPACE_WRITE = ['keyspace', 'write', 'slow'];
const KEYSPACE_WRITE_FAST = ['keyspace', 'write', 'fast'];
const KEYSPACE_READ_FAST = ['keyspace', 'read', 'fast'];
const MULTI_KEY_TIPS = ['request_policy:multi_shard', 'response_policy:agg_sum'];

export const keyCommands: CommandDef[] = [
  {
    name: 'del', arity: -2, flags: F.Write, acl: KEYSPACE_WRITE, group: 'generic', since: '1.0.0',
    summary: 'Deletes one or more keys.',
    complexity: 'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
    firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RM', 'delete'], begin: 1, lastKey: -1, step: 1 }], tips: MULTI_KEY_TIPS, handler: del,
  },
  {
    name: 'unlink', arity: -2, flags: F.Write | F.Fast, acl: KEYSPACE_WRITE_FAST, group: 'generic', since: '4.0.0',
    summary: 'Asynchronously deletes one or more keys.',
    complexity: 'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
    firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RM', 'delete'], begin: 1, lastKey: -1, step: 1 }], tips: MULTI_KEY_TIPS, handler: del,
  },
  {
    name: 'exists', arity: -2, flags: F.Readonly | F.Fast, acl: KEYSPACE_READ_FAST, group: 'generic',
    since: '1.0.0', summary: 'Determines whether one or more keys exist.',
    complexity: 'O(N) where N is the number of keys to check.', firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RO'], begin: 1, lastKey: -1, step: 1 }], tips: MULTI_KEY_TIPS, handler: exists,
  },
  {
    name: 'type', arity: 2, flags: F.Readonly | F.Fast, acl: KEYSPACE_READ_FAST, group: 'generic',
    since: '1.0.0', summary: 'Determines the type of value stored at a key.', complexity: 'O(1)',
    firstKey: 1, lastKey: 1, step: 1, keySpecs: [{ flags: ['RO'], begin: 1, lastKey: 0, step: 1 }], handler: type,
  },
  {
    name: 'touch', arity: -2, flags: F.Readonly | F.Fast, acl: KEYSPACE_READ_FAST, group: 'generic', since: '3.2.1',
    summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
    complexity: 'O(N) where N is the number of keys that will be touched.', firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{ flags: ['RO'], begin: 1, lastKey: -1, step: 1 }], tips: MULTI_KEY_TIPS, handler: touch,
  },
  {
    name: 'keys', arity: 2, flags: F.Readonly, acl: ['keyspace', 'read', 'slow', 'dangerous'], group: 'generic',
    since: '1.0.0', summary: 'Returns all key names that match a pattern.',
    complexity: 'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'], handler: keys,
  },
  {
    name: 'scan', arity: -2, flags: F.Readonly, acl: ['keyspace', 'read', 'slow'], group: 'generic', since: '2.8.0',
    summary: 'Iterates over the key names in the database.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    tips: ['nondeterministic_output', 'request_policy:special', 'response_policy:special'], handler: scan,
  },
  {
    name: 'randomkey', arity: 1, flags: F.Readonly, acl: ['keyspace', 'read', 'slow'], group: 'generic', since: '1.0.0',
    summary: 'Returns a random key name from the database.', complexity: 'O(1)',
    tips: ['request_policy:all_shards', 'response_policy:special', 'nondeterministic_output'], handler: randomkey,
  },
  {
    name: 'rename', arity: 3, flags: F.Write, acl: KEYSPACE_WRITE, group: 'generic', since: '1.0.0',
    summary: 'Renames a key and overwrites the destination.', complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [
      { flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1 },
      { flags: ['OW', 'update'], begin: 2, lastKey: 0, step: 1 },
    ],
    handler: (c) => rename(c, false),
  },
  {
    name: 'renamenx', arity: 3, flags: F.Write | F.Fast, acl: KEYSPACE_WRITE_FAST, group: 'generic', since: '1.0.0',
    summary: "Renames a key only when the target key name doesn't exist.", complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [
      { flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1 },
      { flags: ['OW', 'insert'], begin: 2, lastKey: 0, step: 1 },
    ],
    handler: (c) => rename(c, true),
  },
  {
    name: 'move', arity: 3, flags: F.Write | F.Fast, acl: KEYSPACE_WRITE_FAST, group: 'generic', since: '1.0.0',
    summary: 'Moves a key to another database.', complexity: 'O(1)', firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }], handler: move,
  },
  {
    name: 'copy', arity: -3, flags: F.Write | F.DenyOom, acl: KEYSPACE_WRITE, group: 'generic', since: '6.2.0',
    summary: 'Copies the value of a key to a new key.',
    complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
    firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [
      { flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 },
      { flags: ['OW', 'update'], begin: 2, lastKey: 0, step: 1 },
    ],
    handler: copy,
  },
];
