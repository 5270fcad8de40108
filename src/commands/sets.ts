// Set commands: SADD, SREM, SMOVE, SPOP, SISMEMBER, SMISMEMBER, SCARD, SMEMBERS, SRANDMEMBER,
// SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE, SSCAN (t_set.c). A key
// never holds an empty set. Replies list members in the order Redis iterates them (RedisSet.members:
// intsets sorted), and results are built the way Redis builds them, so small sets answer alike.
import { type Db } from '../data/keyspace.js';
import { RedisSet, SetStart } from '../data/set.js';
import type { DictEntry } from '../data/dict.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NUMKEYS, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { parseInteger } from '../util/numbers.js';
import { cursorArg } from './args.js';
import { touchFlags } from './lookup.js';
import { replyEmptyScan, scanOptions } from './scan.js';
import { createSet, lookupSet, membersRemoved, positiveArg, replyMembers } from './set-util.js';
import { spop, srandmember } from './set-random.js';

const F = CmdFlag;

// ---- add, remove, move ------------------------------------------------------------------------

function sadd(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const found = lookupSet(call, db, key, false);
  if (found === null) return;
  const s = found ?? createSet(call, args.str(2), args.count - 2);
  if (found !== undefined) s.sizeHint(args.count - 2);
  let added = 0;
  for (let i = 2; i < args.count; i++) if (s.add(args.str(i))) added++;
  if (found === undefined) db.set(key, s);
  else if (added > 0) db.touch(key);
  if (added > 0) {
    server.dirty += added;
    notifyKeyspaceEvent(server, 's', 'sadd', key, client.db);
  }
  reply.integer(added);
}

function srem(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const s = lookupSet(call, db, key, false);
  if (s === null) return;
  let deleted = 0;
  if (s !== undefined) {
    for (let i = 2; i < args.count && s.size > 0; i++) if (s.delete(args.str(i))) deleted++;
    if (deleted > 0) {
      membersRemoved(call, db, key, s, 'srem');
      server.dirty += deleted;
    }
  }
  reply.integer(deleted);
}

function smove(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const db = server.keyspace.dbs[client.db];
  const srcKey = args.str(1);
  const dstKey = args.str(2);
  const member = args.str(3);
  const src = db.lookup(srcKey, now, touchFlags(client));
  const dst = db.lookup(dstKey, now, touchFlags(client));
  // As Redis: a missing source answers 0 before the destination's type is looked at.
  if (src === undefined) {
    reply.integer(0);
    return;
  }
  if (!(src instanceof RedisSet) || (dst !== undefined && !(dst instanceof RedisSet))) {
    reply.error(ERR_WRONGTYPE);
    return;
  }
  if (src === dst) {
    reply.integer(src.has(member) ? 1 : 0);
    return;
  }
  if (!src.delete(member)) {
    reply.integer(0);
    return;
  }
  membersRemoved(call, db, srcKey, src, 'srem');
  server.dirty++;
  const target = dst ?? createSet(call, member, 1);
  if (target.add(member)) {
    if (dst === undefined) db.set(dstKey, target);
    else db.touch(dstKey);
    server.dirty++;
    notifyKeyspaceEvent(server, 's', 'sadd', dstKey, client.db);
  }
  reply.integer(1);
}

// ---- membership and reads ---------------------------------------------------------------------

function sismember(call: CommandCall): void {
  const s = lookupSet(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (s !== null) call.reply.integer(s?.has(call.args.str(2)) ? 1 : 0);
}

function smismember(call: CommandCall): void {
  const { args, reply } = call;
  const s = lookupSet(call, call.server.keyspace.dbs[call.client.db], args.str(1), true);
  if (s === null) return;
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) reply.integer(s?.has(args.str(i)) ? 1 : 0);
}

function scard(call: CommandCall): void {
  const s = lookupSet(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (s !== null) call.reply.integer(s === undefined ? 0 : s.size);
}

function smembers(call: CommandCall): void {
  const s = lookupSet(call, call.server.keyspace.dbs[call.client.db], call.args.str(1), true);
  if (s === null) return;
  if (s === undefined) call.reply.set(0);
  else replyMembers(call, s.members(call.server.config));
}

// ---- algebra ----------------------------------------------------------------------------------

/**
 * The sets at args[first..last]: a missing key is undefined (an empty set); null after a
 * WRONGTYPE reply (every key is looked at first, as Redis 7.2 does).
 */
function lookupSets(call: CommandCall, db: Db, first: number, last: number): (RedisSet | undefined)[] | null {
  const sets: (RedisSet | undefined)[] = [];
  for (let i = first; i <= last; i++) {
    const s = lookupSet(call, db, call.args.str(i), true);
    if (s === null) return null;
    sets.push(s);
  }
  return sets;
}

/** Stores a STORE command's result at `dst` (an empty one deletes it) and replies its size. */
function storeResult(call: CommandCall, db: Db, dst: string, result: RedisSet, event: string): void {
  const { reply, server, client } = call;
  if (result.size > 0) {
    db.set(dst, result);
    reply.integer(result.size);
    notifyKeyspaceEvent(server, 's', event, dst, client.db);
    server.dirty++;
    return;
  }
  reply.integer(0);
  if (db.delete(dst, call.now)) {
    server.dirty++;
    notifyKeyspaceEvent(server, 'g', 'del', dst, client.db);
  }
}

/** Where an intersection goes: the reply (a set), a key, or only its size (SINTERCARD). */
const enum Out {
  Reply,
  Store,
  Cardinality,
}

/** SINTER, SINTERSTORE, SINTERCARD over the keys args[first..last] (sinterGenericCommand). */
function sinterGeneric(call: CommandCall, first: number, last: number, out: Out, limit = 0): void {
  const { args, reply, server } = call;
  const db = server.keyspace.dbs[call.client.db];
  const found = lookupSets(call, db, first, last);
  if (found === null) return;
  const dst = out === Out.Store ? args.str(1) : '';
  if (found.includes(undefined)) {
    if (out === Out.Store) storeResult(call, db, dst, new RedisSet(), 'sinterstore');
    else if (out === Out.Cardinality) reply.integer(0);
    else reply.set(0);
    return;
  }
  // Smallest first (a stable sort, as glibc's qsort is here), so the walk is shortest.
  const sets = (found as RedisSet[]).slice().sort((a, b) => a.size - b.size);
  const base = sets[0];
  const baseIsIntset = base.encoding(server.config) === 'intset';
  const result = out === Out.Store ? new RedisSet(baseIsIntset ? SetStart.Intset : SetStart.Listpack) : null;
  const members: string[] = [];
  let cardinality = 0;
  for (const m of base.members(server.config)) {
    let inAll = true;
    for (let j = 1; j < sets.length && inAll; j++) if (sets[j] !== base && !sets[j].has(m)) inAll = false;
    if (!inAll) continue;
    cardinality++;
    if (out === Out.Cardinality) {
      if (limit > 0 && cardinality >= limit) break;
    } else if (result !== null) result.add(m);
    else members.push(m);
  }
  if (out === Out.Cardinality) reply.integer(cardinality);
  else if (result !== null) {
    result.reconsiderIntset();
    storeResult(call, db, dst, result, 'sinterstore');
  } else replyMembers(call, members);
}

function sintercard(call: CommandCall): void {
  const { args, reply } = call;
  const numkeys = parseInteger(args.str(1));
  if (numkeys === null || numkeys < 1) {
    reply.error(ERR_NUMKEYS);
    return;
  }
  if (numkeys > args.count - 2) {
    reply.error('Number of keys can\'t be greater than number of args');
    return;
  }
  const n = Number(numkeys);
  let limit = 0;
  for (let j = 2 + n; j < args.count; j++) {
    if (args.is(j, 'limit') && j + 1 < args.count) {
      const l = positiveArg(call, ++j, 'LIMIT can\'t be negative');
      if (l === null) return;
      limit = l;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  sinterGeneric(call, 2, 1 + n, Out.Cardinality, limit);
}

const enum SetOp {
  Union,
  Diff,
}

/** SUNION, SDIFF and their STORE forms over args[first..last] (sunionDiffGenericCommand). */
function sunionDiff(call: CommandCall, first: number, last: number, op: SetOp, store: boolean): void {
  const { args, server } = call;
  const config = server.config;
  const db = server.keyspace.dbs[call.client.db];
  const sets = lookupSets(call, db, first, last);
  if (sets === null) return;
  const head = sets[0];
  const sameSet = head !== undefined && sets.indexOf(head, 1) > 0;
  const result = new RedisSet();
  if (op === SetOp.Union) {
    for (const s of sets) if (s !== undefined) for (const m of s.members(config)) result.add(m);
  } else if (head !== undefined && !sameSet) {
    // Redis picks the walk by its cost: testing the first set's members against the others
    // (algorithm 1), or adding the first set and removing the others (algorithm 2).
    let one = 0;
    let two = 0;
    for (const s of sets) {
      if (s === undefined) continue;
      one += head.size;
      two += s.size;
    }
    if (Math.floor(one / 2) <= two) {
      for (const m of head.members(config)) {
        let elsewhere = false;
        for (let j = 1; j < sets.length && !elsewhere; j++) elsewhere = sets[j]?.has(m) === true;
        if (!elsewhere) result.add(m);
      }
    } else {
      for (const m of head.members(config)) result.add(m);
      for (let j = 1; j < sets.length && result.size > 0; j++) {
        const s = sets[j];
        if (s !== undefined) for (const e of s.entries()) result.delete(e.key);
      }
    }
  }
  if (store) storeResult(call, db, args.str(1), result, op === SetOp.Union ? 'sunionstore' : 'sdiffstore');
  else replyMembers(call, result.members(config));
}

// ---- SSCAN ------------------------------------------------------------------------------------

function sscan(call: CommandCall): void {
  const { args, reply, server } = call;
  const cursor = cursorArg(call, 2);
  if (cursor === null) return;
  const s = lookupSet(call, server.keyspace.dbs[call.client.db], args.str(1), true);
  if (s === null) return;
  if (s === undefined) {
    replyEmptyScan(reply);
    return;
  }
  const opts = scanOptions(call, 3);
  if (opts === null) return;
  // An intset or listpack set is answered whole, cursor 0, as Redis does; a hashtable one
  // COUNT at a time.
  let next = 0;
  let found: readonly string[];
  if (s.encoding(server.config) !== 'hashtable') found = s.members(server.config);
  else {
    const out: DictEntry[] = [];
    next = s.scan(cursor, opts.count, out);
    found = out.map((e) => e.key);
  }
  const pattern = opts.pattern;
  const matched = pattern === null ? found : found.filter((m) => globMatch(pattern, m, false));
  reply.array(2);
  reply.bulkStr(String(next));
  reply.array(matched.length);
  for (const m of matched) reply.bulkStr(m);
}

// ---- the rows ---------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const spec = (...flags: string[]) => [{ flags, begin: 1, lastKey: 0, step: 1 }];
const allKeys = { firstKey: 1, lastKey: -1, step: 1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: -1, step: 1 }] };
const storeKeys = (dstFlags: string[]) => ({
  firstKey: 1, lastKey: -1, step: 1,
  keySpecs: [
    { flags: dstFlags, begin: 1, lastKey: 0, step: 1 },
    { flags: ['RO', 'access'], begin: 2, lastKey: -1, step: 1 },
  ],
});
const SET_W = ['write', 'set', 'fast'];
const SET_R = ['read', 'set', 'fast'];
const SET_R_SLOW = ['read', 'set', 'slow'];
const SET_W_SLOW = ['write', 'set', 'slow'];
const INTER = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';
const UNION = 'O(N) where N is the total number of elements in all given sets.';
const ORDER = ['nondeterministic_output_order'];

// SINTERCARD finds its keys through numkeys (a "keynum" key spec, movablekeys); the table's key
// specs only describe ranges so far, so its row carries none.
export const setCommands: CommandDef[] = [
  {
    name: 'sadd', arity: -3, flags: F.Write | F.DenyOom | F.Fast, acl: SET_W, group: 'set', since: '1.0.0',
    summary: 'Adds one or more members to a set. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    ...key1, keySpecs: spec('RW', 'insert'), handler: sadd,
  },
  {
    name: 'srem', arity: -3, flags: F.Write | F.Fast, acl: SET_W, group: 'set', since: '1.0.0',
    summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.',
    complexity: 'O(N) where N is the number of members to be removed.', ...key1, keySpecs: spec('RW', 'delete'), handler: srem,
  },
  {
    name: 'smove', arity: 4, flags: F.Write | F.Fast, acl: SET_W, group: 'set', since: '1.0.0',
    summary: 'Moves a member from one set to another.', complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1,
    keySpecs: [
      { flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1 },
      { flags: ['RW', 'insert'], begin: 2, lastKey: 0, step: 1 },
    ],
    handler: smove,
  },
  {
    name: 'spop', arity: -2, flags: F.Write | F.Fast, acl: SET_W, group: 'set', since: '1.0.0',
    summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
    ...key1, keySpecs: spec('RW', 'access', 'delete'), tips: ['nondeterministic_output'], handler: spop,
  },
  {
    name: 'sismember', arity: 3, flags: F.Readonly | F.Fast, acl: SET_R, group: 'set', since: '1.0.0',
    summary: 'Determines whether a member belongs to a set.', complexity: 'O(1)', ...key1, keySpecs: spec('RO'),
    handler: sismember,
  },
  {
    name: 'smismember', arity: -3, flags: F.Readonly | F.Fast, acl: SET_R, group: 'set', since: '6.2.0',
    summary: 'Determines whether multiple members belong to a set.',
    complexity: 'O(N) where N is the number of elements being checked for membership',
    ...key1, keySpecs: spec('RO', 'access'), handler: smismember,
  },
  {
    name: 'scard', arity: 2, flags: F.Readonly | F.Fast, acl: SET_R, group: 'set', since: '1.0.0',
    summary: 'Returns the number of members in a set.', complexity: 'O(1)', ...key1, keySpecs: spec('RO'), handler: scard,
  },
  {
    name: 'smembers', arity: 2, flags: F.Readonly, acl: SET_R_SLOW, group: 'set', since: '1.0.0',
    summary: 'Returns all members of a set.', complexity: 'O(N) where N is the set cardinality.',
    ...key1, keySpecs: spec('RO', 'access'), tips: ORDER, handler: smembers,
  },
  {
    name: 'srandmember', arity: -2, flags: F.Readonly, acl: SET_R_SLOW, group: 'set', since: '1.0.0',
    summary: 'Get one or multiple random members from a set',
    complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output'], handler: srandmember,
  },
  {
    name: 'sinter', arity: -2, flags: F.Readonly, acl: SET_R_SLOW, group: 'set', since: '1.0.0',
    summary: 'Returns the intersect of multiple sets.', complexity: INTER, ...allKeys, tips: ORDER,
    handler: (c) => sinterGeneric(c, 1, c.args.count - 1, Out.Reply),
  },
  {
    name: 'sintercard', arity: -3, flags: F.Readonly | F.MovableKeys, acl: SET_R_SLOW, group: 'set', since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sets.', complexity: INTER, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: sintercard,
  },
  {
    name: 'sinterstore', arity: -3, flags: F.Write | F.DenyOom, acl: SET_W_SLOW, group: 'set', since: '1.0.0',
    summary: 'Stores the intersect of multiple sets in a key.', complexity: INTER, ...storeKeys(['RW', 'update']),
    handler: (c) => sinterGeneric(c, 2, c.args.count - 1, Out.Store),
  },
  {
    name: 'sunion', arity: -2, flags: F.Readonly, acl: SET_R_SLOW, group: 'set', since: '1.0.0',
    summary: 'Returns the union of multiple sets.', complexity: UNION, ...allKeys, tips: ORDER,
    handler: (c) => sunionDiff(c, 1, c.args.count - 1, SetOp.Union, false),
  },
  {
    name: 'sunionstore', arity: -3, flags: F.Write | F.DenyOom, acl: SET_W_SLOW, group: 'set', since: '1.0.0',
    summary: 'Stores the union of multiple sets in a key.', complexity: UNION, ...storeKeys(['OW', 'update']),
    handler: (c) => sunionDiff(c, 2, c.args.count - 1, SetOp.Union, true),
  },
  {
    name: 'sdiff', arity: -2, flags: F.Readonly, acl: SET_R_SLOW, group: 'set', since: '1.0.0',
    summary: 'Returns the difference of multiple sets.', complexity: UNION, ...allKeys, tips: ORDER,
    handler: (c) => sunionDiff(c, 1, c.args.count - 1, SetOp.Diff, false),
  },
  {
    name: 'sdiffstore', arity: -3, flags: F.Write | F.DenyOom, acl: SET_W_SLOW, group: 'set', since: '1.0.0',
    summary: 'Stores the difference of multiple sets in a key.', complexity: UNION, ...storeKeys(['OW', 'update']),
    handler: (c) => sunionDiff(c, 2, c.args.count - 1, SetOp.Diff, true),
  },
  {
    name: 'sscan', arity: -3, flags: F.Readonly, acl: SET_R_SLOW, group: 'set', since: '2.8.0',
    summary: 'Iterates over members of a set.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    ...key1, keySpecs: spec('RO', 'access'), tips: ['nondeterministic_output'], handler: sscan,
  },
];
