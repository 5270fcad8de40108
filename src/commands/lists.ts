// List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT,
// LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
// BLMPOP (t_list.c). A key never holds an empty list: whatever takes the last
// element deletes the key. Every push signals its key as ready, so clients blocked on it run
// their command again; a blocking command that finds no data blocks (or, inside MULTI, answers
// as if it had timed out, as Redis does for clients that may not block).
import type { RedisString } from '../data/string.js';
import { RedisList } from '../data/list.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { notifyKeyspaceEvent } from './notify.js';
import { ERR_NOT_INTEGER, ERR_NO_SUCH_KEY, ERR_POSITIVE, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { End, createList, elementsRemoved, longArg, lookupList, popEnd, pushEnd, replyPopped } from './list-util.js';
import { blmove, blockingMove, bpop, lmove, moveOrNull, mpop } from './list-blocking.js';
import { lookupKey } from './lookup.js';

const F = CmdFlag;

// ---- push, pop, read --------------------------------------------------------------------------

function push(call: CommandCall, end: End): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  let list = lookupList(call, db, key);
  if (list === null) return;
  // Storing a new list signals the change itself; pushing onto one in place must say so.
  if (list === undefined) list = createList(db, key);
  else db.touch(key);
  for (let i = 2; i < args.count; i++) pushEnd(list, end, args.value(i));
  server.dirty += args.count - 2;
  server.blocked.signalKeyAsReady(client.db, key);
  notifyKeyspaceEvent(server, 'l', end === End.Head ? 'lpush' : 'rpush', key, client.db);
  reply.integer(list.length);
}

function pop(call: CommandCall, end: End): void {
  const { args, reply, client, server } = call;
  if (args.count > 3) {
    reply.error(`wrong number of arguments for '${end === End.Head ? 'lpop' : 'rpop'}' command`);
    return;
  }
  const hasCount = args.count === 3;
  let count = 0;
  if (hasCount) {
    const c = longArg(args, 2);
    if (c === null || c < 0) {
      reply.error(ERR_POSITIVE);
      return;
    }
    count = c;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const list = lookupList(call, db, key);
  if (list === null) return;
  if (list === undefined) {
    if (hasCount) reply.nullArray();
    else reply.nullBulk();
    return;
  }
  if (!hasCount) {
    reply.bulkValue(popEnd(list, end));
    elementsRemoved(call, db, key, list, 1, end);
    return;
  }
  if (count === 0) {
    reply.array(0);
    return;
  }
  const n = Math.min(count, list.length);
  replyPopped(reply, list, end, n);
  elementsRemoved(call, db, key, list, n, end);
}

function llen(call: CommandCall): void {
  const list = lookupList(call, call.server.keyspace.dbs[call.client.db], call.args.str(1));
  if (list !== null) call.reply.integer(list === undefined ? 0 : list.length);
}

function lrange(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let start = longArg(args, 2);
  let stop = longArg(args, 3);
  if (start === null || stop === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const list = lookupList(call, server.keyspace.dbs[client.db], args.str(1));
  if (list === null) return;
  const len = list === undefined ? 0 : list.length;
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (list === undefined || start > stop || start >= len) {
    reply.array(0);
    return;
  }
  if (stop >= len) stop = len - 1;
  reply.array(stop - start + 1);
  for (let i = start; i <= stop; i++) reply.bulkValue(list.at(i));
}

// ---- by index, by value -----------------------------------------------------------------------

/** Equality of a list element with a needle given as a binary string (bytes built on demand). */
function matcher(needle: string): (v: RedisString) => boolean {
  let bytes: Buffer | undefined;
  return (v) => {
    if (typeof v === 'string') return v === needle;
    if (v.length !== needle.length) return false;
    return v.equals((bytes ??= Buffer.from(needle, 'latin1')));
  };
}

/** LPUSHX / RPUSHX: pushes only onto an existing list; a missing key answers 0. */
function pushx(call: CommandCall, end: End): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const list = lookupList(call, db, key);
  if (list === null) return;
  if (list === undefined) {
    reply.integer(0);
    return;
  }
  for (let i = 2; i < args.count; i++) pushEnd(list, end, args.value(i));
  db.touch(key);
  server.dirty += args.count - 2;
  server.blocked.signalKeyAsReady(client.db, key);
  notifyKeyspaceEvent(server, 'l', end === End.Head ? 'lpush' : 'rpush', key, client.db);
  reply.integer(list.length);
}

function lindex(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const list = lookupList(call, server.keyspace.dbs[client.db], args.str(1));
  if (list === null) return;
  if (list === undefined) {
    reply.nullBulk();
    return;
  }
  let index = longArg(args, 2);
  if (index === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) reply.nullBulk();
  else reply.bulkValue(list.at(index));
}

function lset(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const v = lookupKey(call, db, key);
  if (v === undefined) {
    reply.error(ERR_NO_SUCH_KEY);
    return;
  }
  if (!(v instanceof RedisList)) {
    reply.error(ERR_WRONGTYPE);
    return;
  }
  let index = longArg(args, 2);
  if (index === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (index < 0) index += v.length;
  if (index < 0 || index >= v.length) {
    reply.error('index out of range');
    return;
  }
  v.set(index, args.value(3));
  db.touch(key);
  notifyKeyspaceEvent(server, 'l', 'lset', key, client.db);
  server.dirty++;
  reply.status('OK');
}

function linsert(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let after: boolean;
  if (args.is(2, 'after')) after = true;
  else if (args.is(2, 'before')) after = false;
  else {
    reply.error(ERR_SYNTAX);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const list = lookupList(call, db, key);
  if (list === null) return;
  if (list === undefined) {
    reply.integer(0);
    return;
  }
  const isPivot = matcher(args.str(3));
  const len = list.length;
  let at = -1;
  for (let i = 0; i < len; i++) {
    if (isPivot(list.at(i))) {
      at = i;
      break;
    }
  }
  if (at === -1) {
    reply.integer(-1);
    return;
  }
  const items = list.toArray();
  items.splice(after ? at + 1 : at, 0, args.value(4));
  list.replaceAll(items);
  db.touch(key);
  notifyKeyspaceEvent(server, 'l', 'linsert', key, client.db);
  server.dirty++;
  reply.integer(list.length);
}

function lrem(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const count = longArg(args, 2);
  if (count === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const list = lookupList(call, db, key);
  if (list === null) return;
  if (list === undefined) {
    reply.integer(0);
    return;
  }
  const isMatch = matcher(args.str(3));
  const limit = count === 0 ? Infinity : Math.abs(count);
  const len = list.length;
  const keep: boolean[] = new Array<boolean>(len).fill(true);
  let removed = 0;
  if (count >= 0) {
    for (let i = 0; i < len && removed < limit; i++) if (isMatch(list.at(i))) (keep[i] = false), removed++;
  } else {
    for (let i = len - 1; i >= 0 && removed < limit; i--) if (isMatch(list.at(i))) (keep[i] = false), removed++;
  }
  if (removed > 0) {
    const items: RedisString[] = [];
    for (let i = 0; i < len; i++) if (keep[i]) items.push(list.at(i));
    list.replaceAll(items);
    notifyKeyspaceEvent(server, 'l', 'lrem', key, client.db);
    if (list.length === 0) {
      db.delete(key, call.now);
      notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
    } else db.touch(key);
    server.dirty += removed;
  }
  reply.integer(removed);
}

function ltrim(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let start = longArg(args, 2);
  let stop = longArg(args, 3);
  if (start === null || stop === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const list = lookupList(call, db, key);
  if (list === null) return;
  if (list === undefined) {
    reply.status('OK');
    return;
  }
  const len = list.length;
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  let ltrimN: number;
  let rtrimN: number;
  if (start > stop || start >= len) {
    ltrimN = len;
    rtrimN = 0;
  } else {
    if (stop >= len) stop = len - 1;
    ltrimN = start;
    rtrimN = len - stop - 1;
  }
  for (let i = 0; i < ltrimN; i++) list.popHead();
  for (let i = 0; i < rtrimN; i++) list.popTail();
  notifyKeyspaceEvent(server, 'l', 'ltrim', key, client.db);
  if (list.length === 0) {
    db.delete(key, call.now);
    notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
  } else db.touch(key);
  server.dirty += ltrimN + rtrimN;
  reply.status('OK');
}

const ERR_RANK_ZERO =
  "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. */
function lpos(call: CommandCall): void {
  const { args, reply, client, server } = call;
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < args.count; j++) {
    const more = j + 1 < args.count;
    if (more && args.is(j, 'rank')) {
      const r = longArg(args, ++j);
      if (r === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      if (r === 0) {
        reply.error(ERR_RANK_ZERO);
        return;
      }
      rank = r;
    } else if (more && args.is(j, 'count')) {
      const c = longArg(args, ++j);
      if (c === null || c < 0) {
        reply.error("COUNT can't be negative");
        return;
      }
      count = c;
    } else if (more && args.is(j, 'maxlen')) {
      const m = longArg(args, ++j);
      if (m === null || m < 0) {
        reply.error("MAXLEN can't be negative");
        return;
      }
      maxlen = m;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const list = lookupList(call, server.keyspace.dbs[client.db], args.str(1));
  if (list === null) return;
  if (list === undefined) {
    if (count !== -1) reply.array(0);
    else reply.nullBulk();
    return;
  }
  const isMatch = matcher(args.str(2));
  const len = list.length;
  const wanted = count === -1 ? 1 : count === 0 ? Infinity : count;
  const limit = maxlen === 0 ? len : Math.min(maxlen, len);
  let skip = Math.abs(rank) - 1;
  const found: number[] = [];
  for (let k = 0; k < limit && found.length < wanted; k++) {
    const i = rank > 0 ? k : len - 1 - k;
    if (!isMatch(list.at(i))) continue;
    if (skip > 0) skip--;
    else found.push(i);
  }
  if (count !== -1) {
    reply.array(found.length);
    for (const i of found) reply.integer(i);
  } else if (found.length > 0) reply.integer(found[0]!);
  else reply.nullBulk();
}

// ---- the rows ---------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const RW_INSERT = [{ flags: ['RW', 'insert'], begin: 1, lastKey: 0, step: 1 }];
const RW_DELETE = [{ flags: ['RW', 'delete'], begin: 1, lastKey: 0, step: 1 }];
const RW_POP = [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1 }];
const MOVE_SPECS = [
  { flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1 },
  { flags: ['RW', 'insert'], begin: 2, lastKey: 0, step: 1 },
];
const PUSH_COMPLEXITY =
  'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
const MPOP_COMPLEXITY = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';

// LMPOP and BLMPOP find their keys through numkeys (a "keynum" key spec, movablekeys); the
// table's key specs only describe ranges so far, so those two rows carry none.
export const listCommands: CommandDef[] = [
  {
    name: 'lpush', arity: -3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'list', 'fast'], group: 'list',
    since: '1.0.0', summary: 'Prepends one or more elements to a list. Creates the key if it doesn\'t exist.',
    complexity: PUSH_COMPLEXITY, ...key1, keySpecs: RW_INSERT, handler: (c) => push(c, End.Head),
  },
  {
    name: 'rpush', arity: -3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'list', 'fast'], group: 'list',
    since: '1.0.0', summary: 'Appends one or more elements to a list. Creates the key if it doesn\'t exist.',
    complexity: PUSH_COMPLEXITY, ...key1, keySpecs: RW_INSERT, handler: (c) => push(c, End.Tail),
  },
  {
    name: 'lpop', arity: -2, flags: F.Write | F.Fast, acl: ['write', 'list', 'fast'], group: 'list', since: '1.0.0',
    summary: 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of elements returned', ...key1, keySpecs: RW_POP,
    handler: (c) => pop(c, End.Head),
  },
  {
    name: 'rpop', arity: -2, flags: F.Write | F.Fast, acl: ['write', 'list', 'fast'], group: 'list', since: '1.0.0',
    summary: 'Returns and removes the last elements of a list. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of elements returned', ...key1, keySpecs: RW_POP,
    handler: (c) => pop(c, End.Tail),
  },
  {
    name: 'llen', arity: 2, flags: F.Readonly | F.Fast, acl: ['read', 'list', 'fast'], group: 'list', since: '1.0.0',
    summary: 'Returns the length of a list.', complexity: 'O(1)', ...key1,
    keySpecs: [{ flags: ['RO'], begin: 1, lastKey: 0, step: 1 }], handler: llen,
  },
  {
    name: 'lrange', arity: 4, flags: F.Readonly, acl: ['read', 'list', 'slow'], group: 'list', since: '1.0.0',
    summary: 'Returns a range of elements from a list.',
    complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    ...key1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }], handler: lrange,
  },
  {
    name: 'lmove', arity: 5, flags: F.Write | F.DenyOom, acl: ['write', 'list', 'slow'], group: 'list', since: '6.2.0',
    summary: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.',
    complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1, keySpecs: MOVE_SPECS, handler: lmove,
  },
  {
    name: 'lmpop', arity: -4, flags: F.Write | F.MovableKeys, acl: ['write', 'list', 'slow'], group: 'list',
    since: '7.0.0',
    summary: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.',
    complexity: MPOP_COMPLEXITY, keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: (c) => mpop(c, 1, false),
  },
  {
    name: 'blpop', arity: -3, flags: F.Write | F.Blocking, acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list', since: '2.0.0',
    summary: 'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.', firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: -2, step: 1 }], handler: (c) => bpop(c, End.Head),
  },
  {
    name: 'brpop', arity: -3, flags: F.Write | F.Blocking, acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list', since: '2.0.0',
    summary: 'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(N) where N is the number of provided keys.', firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: -2, step: 1 }], handler: (c) => bpop(c, End.Tail),
  },
  {
    name: 'blmove', arity: 6, flags: F.Write | F.DenyOom | F.Blocking,
    acl: ['write', 'list', 'slow', 'blocking'], group: 'list', since: '6.2.0',
    summary: 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.',
    complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1, keySpecs: MOVE_SPECS, handler: blmove,
  },
  {
    name: 'blmpop', arity: -5, flags: F.Write | F.Blocking | F.MovableKeys, acl: ['write', 'list', 'slow', 'blocking'],
    group: 'list', since: '7.0.0',
    summary: 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: MPOP_COMPLEXITY, keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: (c) => mpop(c, 2, true),
  },
  {
    name: 'lpushx', arity: -3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'list', 'fast'], group: 'list',
    since: '2.2.0', summary: 'Prepends one or more elements to a list only when the list exists.', complexity: PUSH_COMPLEXITY,
    ...key1, keySpecs: RW_INSERT, handler: (c) => pushx(c, End.Head),
  },
  {
    name: 'rpushx', arity: -3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'list', 'fast'], group: 'list',
    since: '2.2.0', summary: 'Appends an element to a list only when the list exists.', complexity: PUSH_COMPLEXITY,
    ...key1, keySpecs: RW_INSERT, handler: (c) => pushx(c, End.Tail),
  },
  {
    name: 'lindex', arity: 3, flags: F.Readonly, acl: ['read', 'list', 'slow'], group: 'list', since: '1.0.0',
    summary: 'Returns an element from a list by its index.',
    complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).',
    ...key1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }], handler: lindex,
  },
  {
    name: 'linsert', arity: 5, flags: F.Write | F.DenyOom, acl: ['write', 'list', 'slow'], group: 'list', since: '2.2.0',
    summary: 'Inserts an element before or after another element in a list.',
    complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).',
    ...key1, keySpecs: RW_INSERT, handler: linsert,
  },
  {
    name: 'lset', arity: 4, flags: F.Write | F.DenyOom, acl: ['write', 'list', 'slow'], group: 'list', since: '1.0.0',
    summary: 'Sets the value of an element in a list by its index.',
    complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).',
    ...key1, keySpecs: [{ flags: ['RW', 'update'], begin: 1, lastKey: 0, step: 1 }], handler: lset,
  },
  {
    name: 'lrem', arity: 4, flags: F.Write, acl: ['write', 'list', 'slow'], group: 'list', since: '1.0.0',
    summary: 'Removes elements from a list. Deletes the list if the last element was removed.', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
    ...key1, keySpecs: RW_DELETE, handler: lrem,
  },
  {
    name: 'ltrim', arity: 4, flags: F.Write, acl: ['write', 'list', 'slow'], group: 'list', since: '1.0.0',
    summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.', complexity: 'O(N) where N is the number of elements to be removed by the operation.',
    ...key1, keySpecs: RW_DELETE, handler: ltrim,
  },
  {
    name: 'lpos', arity: -3, flags: F.Readonly, acl: ['read', 'list', 'slow'], group: 'list', since: '6.0.6',
    summary: 'Returns the index of matching elements in a list.',
    complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    ...key1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }], handler: lpos,
  },
  {
    name: 'rpoplpush', arity: 3, flags: F.Write | F.DenyOom, acl: ['write', 'list', 'slow'], group: 'list',
    since: '1.2.0', summary: 'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.',
    complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1, keySpecs: MOVE_SPECS,
    handler: (c) => moveOrNull(c, End.Tail, End.Head),
  },
  {
    name: 'brpoplpush', arity: 4, flags: F.Write | F.DenyOom | F.Blocking,
    acl: ['write', 'list', 'slow', 'blocking'], group: 'list', since: '2.2.0',
    summary: 'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.',
    complexity: 'O(1)', firstKey: 1, lastKey: 2, step: 1, keySpecs: MOVE_SPECS,
    handler: (c) => blockingMove(c, End.Tail, End.Head, 3),
  },
];
