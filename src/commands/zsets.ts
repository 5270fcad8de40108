// Sorted set commands (t_zset.c): ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK and ZREVRANK
// here, with every row of the family. ZCOUNT, ZLEXCOUNT, the ZRANGE family and ZREMRANGEBY* are
// in zset-ranges.ts; pops (ZPOPMIN/MAX, ZMPOP, the blocking BZPOPMIN/MAX, BZMPOP), ZRANDMEMBER
// and ZSCAN in zset-pops.ts; ZUNION/ZINTER/ZDIFF and their STORE forms in zset-setops.ts.
// A key never holds an empty sorted set: whatever removes the last member deletes the key.
// Commands that add members signal the key as ready for clients blocked in BZPOPMIN & co.
import { RedisZset } from '../data/zset.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef, type KeySpecDef } from '../table/table.js';
import { parseScore } from './zset-args.js';
import { bzmpop, bzpop, zmpop, zpop, zrandmember, zscan } from './zset-pops.js';
import { Direction, RangeType, zcount, zlexcount, zrangeGeneric, zremrange } from './zset-ranges.js';
import { zdiff, zinter, zintercard, zunion } from './zset-setops.js';
import { lookupZset, membersRemoved } from './zset-util.js';
import { ERR_NOT_FLOAT, ERR_SYNTAX } from '../util/errors.js';

const F = CmdFlag;

// ---- ZADD, ZINCRBY, ZREM ----------------------------------------------------------------------

/** Scores of the pairs being added, reused across calls. */
const pendingScores: number[] = [];

/** ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...; ZINCRBY is ZADD ... INCR. */
function zadd(call: CommandCall, incrCommand: boolean): void {
  const { args, reply, client, server } = call;
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  // Options come first, even for ZINCRBY (whose increment could read as one, as in Redis).
  let at = 2;
  for (; at < args.count; at++) {
    if (args.is(at, 'nx')) nx = true;
    else if (args.is(at, 'xx')) xx = true;
    else if (args.is(at, 'ch')) ch = true;
    else if (args.is(at, 'incr')) incr = true;
    else if (args.is(at, 'gt')) gt = true;
    else if (args.is(at, 'lt')) lt = true;
    else break;
  }
  const rest = args.count - at;
  if (rest === 0 || rest % 2 !== 0) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const pairs = rest / 2;
  if (nx && xx) {
    reply.error('XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    reply.error('GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && pairs > 1) {
    reply.error('INCR option supports a single increment-element pair');
    return;
  }
  // Every score is checked before anything changes: the command runs whole or not at all.
  // Entries past `pairs` are stale and never read (setting length is a runtime call).
  for (let j = 0; j < pairs; j++) {
    const s = parseScore(args.str(at + 2 * j));
    if (s === null) {
      reply.error(ERR_NOT_FLOAT);
      return;
    }
    pendingScores[j] = s;
  }

  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  let zs = lookupZset(call, db, key);
  if (zs === null) return;
  if (zs === undefined) {
    if (xx) {
      if (incr) reply.nullBulk();
      else reply.integer(0);
      return;
    }
    zs = new RedisZset();
    db.set(key, zs);
  }
  zs.sizeHint(pairs);

  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  for (let j = 0; j < pairs; j++) {
    const member = args.str(at + 2 * j + 1);
    let s = pendingScores[j];
    const current = zs.score(member);
    if (current !== undefined) {
      if (nx) continue;
      if (incr) {
        s += current;
        if (s !== s) {
          reply.error('resulting score is not a number (NaN)');
          return;
        }
      }
      if ((lt && s >= current) || (gt && s <= current)) continue;
      if (s !== current) {
        zs.setScore(member, s);
        updated++;
      }
    } else {
      if (xx) continue;
      zs.insert(member, s);
      added++;
    }
    processed++;
    score = s;
  }
  server.dirty += added + updated;
  if (incr) {
    if (processed > 0) reply.double(score);
    else reply.nullBulk();
  } else {
    reply.integer(ch ? added + updated : added);
  }
  if (added > 0 || updated > 0) {
    db.touch(key);
    notifyKeyspaceEvent(server, 'z', incr ? 'zincr' : 'zadd', key, client.db);
    if (added > 0) server.blocked.signalKeyAsReady(client.db, key);
  }
}

function zrem(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const zs = lookupZset(call, db, key);
  if (zs === null) return;
  if (zs === undefined) {
    reply.integer(0);
    return;
  }
  let deleted = 0;
  for (let i = 2; i < args.count && zs.size > 0; i++) if (zs.delete(args.str(i))) deleted++;
  if (deleted > 0) membersRemoved(call, db, key, zs, deleted, 'zrem');
  reply.integer(deleted);
}

// ---- reads ------------------------------------------------------------------------------------

function zcard(call: CommandCall): void {
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], call.args.str(1));
  if (zs !== null) call.reply.integer(zs === undefined ? 0 : zs.size);
}

function zscore(call: CommandCall): void {
  const { args, reply } = call;
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs === null) return;
  const s = zs?.score(args.str(2));
  if (s === undefined) reply.nullBulk();
  else reply.double(s);
}

function zmscore(call: CommandCall): void {
  const { args, reply } = call;
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs === null) return;
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) {
    const s = zs?.score(args.str(i));
    if (s === undefined) reply.nullBulk();
    else reply.double(s);
  }
}

/** ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE is 7.2's). */
function zrank(call: CommandCall, reverse: boolean): void {
  const { args, reply } = call;
  if (args.count > 4) {
    reply.error(`wrong number of arguments for '${reverse ? 'zrevrank' : 'zrank'}' command`);
    return;
  }
  const withScore = args.count === 4;
  if (withScore && !args.is(3, 'withscore')) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs === null) return;
  const member = args.str(2);
  const rank = zs === undefined ? -1 : zs.rank(member, reverse);
  if (rank < 0) {
    if (withScore) reply.nullArray();
    else reply.nullBulk();
    return;
  }
  if (!withScore) {
    reply.integer(rank);
    return;
  }
  reply.array(2);
  reply.integer(rank);
  reply.double(zs!.score(member)!);
}

// ---- the rows ---------------------------------------------------------------------------------

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const spec = (flags: string[], begin = 1): KeySpecDef[] => [{ flags, begin, lastKey: 0, step: 1 }];
const RO = spec(['RO']);
const RO_ACCESS = spec(['RO', 'access']);
const RW_UPDATE = spec(['RW', 'update']);
const RW_ACCESS_UPDATE = spec(['RW', 'access', 'update']);
const RW_DELETE = spec(['RW', 'delete']);
const RW_POP = spec(['RW', 'access', 'delete']);
/**
 * The STORE forms' destination. Their sources are a "keynum" key spec (numkeys, movablekeys),
 * which the table's key specs cannot describe yet, so only the destination is listed.
 */
const OW_DEST = spec(['OW', 'update']);

const W = ['write', 'sortedset'];
const R = ['read', 'sortedset'];
const BY_RANGE = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
const RANGE_RETURNED = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const REMOVED = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const POP = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
const MPOP = 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';
const BPOP = 'O(log(N)) with N being the number of elements in the sorted set.';
const INTER = 'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
const DIFF = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
const NONDETERMINISTIC = ['nondeterministic_output'];

const group = 'sorted-set';

export const zsetCommands: CommandDef[] = [
  {
    name: 'zadd', arity: -4, flags: F.Write | F.DenyOom | F.Fast, acl: [...W, 'fast'], group, since: '1.2.0',
    summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn\'t exist.',
    complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    ...key1, keySpecs: RW_UPDATE, handler: (c) => zadd(c, false),
  },
  {
    name: 'zincrby', arity: 4, flags: F.Write | F.DenyOom | F.Fast, acl: [...W, 'fast'], group, since: '1.2.0',
    summary: 'Increments the score of a member in a sorted set.',
    complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
    ...key1, keySpecs: RW_ACCESS_UPDATE, handler: (c) => zadd(c, true),
  },
  {
    name: 'zrem', arity: -3, flags: F.Write | F.Fast, acl: [...W, 'fast'], group, since: '1.2.0',
    summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.',
    complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
    ...key1, keySpecs: RW_DELETE, handler: zrem,
  },
  {
    name: 'zcard', arity: 2, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '1.2.0',
    summary: 'Returns the number of members in a sorted set.', complexity: 'O(1)', ...key1, keySpecs: RO, handler: zcard,
  },
  {
    name: 'zscore', arity: 3, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '1.2.0',
    summary: 'Returns the score of a member in a sorted set.', complexity: 'O(1)', ...key1, keySpecs: RO_ACCESS,
    handler: zscore,
  },
  {
    name: 'zmscore', arity: -3, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '6.2.0',
    summary: 'Returns the score of one or more members in a sorted set.',
    complexity: 'O(N) where N is the number of members being requested.', ...key1, keySpecs: RO_ACCESS, handler: zmscore,
  },
  {
    name: 'zrank', arity: -3, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '2.0.0',
    summary: 'Returns the index of a member in a sorted set ordered by ascending scores.', complexity: 'O(log(N))',
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrank(c, false),
  },
  {
    name: 'zrevrank', arity: -3, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '2.0.0',
    summary: 'Returns the index of a member in a sorted set ordered by descending scores.', complexity: 'O(log(N))',
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrank(c, true),
  },
  {
    name: 'zcount', arity: 4, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '2.0.0',
    summary: 'Returns the count of members in a sorted set that have scores within a range.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', ...key1, keySpecs: RO_ACCESS,
    handler: zcount,
  },
  {
    name: 'zlexcount', arity: 4, flags: F.Readonly | F.Fast, acl: [...R, 'fast'], group, since: '2.8.9',
    summary: 'Returns the number of members in a sorted set within a lexicographical range.',
    complexity: 'O(log(N)) with N being the number of elements in the sorted set.', ...key1, keySpecs: RO_ACCESS,
    handler: zlexcount,
  },
  {
    name: 'zrange', arity: -4, flags: F.Readonly, acl: [...R, 'slow'], group, since: '1.2.0',
    summary: 'Returns members in a sorted set within a range of indexes.', complexity: RANGE_RETURNED,
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrangeGeneric(c, 1, false, RangeType.Auto, Direction.Auto),
  },
  {
    name: 'zrangestore', arity: -5, flags: F.Write | F.DenyOom, acl: [...W, 'slow'], group, since: '6.2.0',
    summary: 'Stores a range of members from sorted set in a key.',
    complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    firstKey: 1, lastKey: 2, step: 1, keySpecs: [...OW_DEST, ...spec(['RO', 'access'], 2)],
    handler: (c) => zrangeGeneric(c, 2, true, RangeType.Auto, Direction.Auto),
  },
  {
    name: 'zrevrange', arity: -4, flags: F.Readonly, acl: [...R, 'slow'], group, since: '1.2.0',
    summary: 'Returns members in a sorted set within a range of indexes in reverse order.', complexity: RANGE_RETURNED,
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrangeGeneric(c, 1, false, RangeType.Rank, Direction.Reverse),
  },
  {
    name: 'zrangebyscore', arity: -4, flags: F.Readonly, acl: [...R, 'slow'], group, since: '1.0.5',
    summary: 'Returns members in a sorted set within a range of scores.', complexity: BY_RANGE,
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrangeGeneric(c, 1, false, RangeType.Score, Direction.Forward),
  },
  {
    name: 'zrevrangebyscore', arity: -4, flags: F.Readonly, acl: [...R, 'slow'], group, since: '2.2.0',
    summary: 'Returns members in a sorted set within a range of scores in reverse order.', complexity: BY_RANGE,
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrangeGeneric(c, 1, false, RangeType.Score, Direction.Reverse),
  },
  {
    name: 'zrangebylex', arity: -4, flags: F.Readonly, acl: [...R, 'slow'], group, since: '2.8.9',
    summary: 'Returns members in a sorted set within a lexicographical range.', complexity: BY_RANGE,
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrangeGeneric(c, 1, false, RangeType.Lex, Direction.Forward),
  },
  {
    name: 'zrevrangebylex', arity: -4, flags: F.Readonly, acl: [...R, 'slow'], group, since: '2.8.9',
    summary: 'Returns members in a sorted set within a lexicographical range in reverse order.', complexity: BY_RANGE,
    ...key1, keySpecs: RO_ACCESS, handler: (c) => zrangeGeneric(c, 1, false, RangeType.Lex, Direction.Reverse),
  },
  {
    name: 'zremrangebyrank', arity: 4, flags: F.Write, acl: [...W, 'slow'], group, since: '2.0.0',
    summary: 'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.',
    complexity: REMOVED, ...key1, keySpecs: RW_DELETE, handler: (c) => zremrange(c, RangeType.Rank),
  },
  {
    name: 'zremrangebyscore', arity: 4, flags: F.Write, acl: [...W, 'slow'], group, since: '1.2.0',
    summary: 'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.',
    complexity: REMOVED, ...key1, keySpecs: RW_DELETE, handler: (c) => zremrange(c, RangeType.Score),
  },
  {
    name: 'zremrangebylex', arity: 4, flags: F.Write, acl: [...W, 'slow'], group, since: '2.8.9',
    summary: 'Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.',
    complexity: REMOVED, ...key1, keySpecs: RW_DELETE, handler: (c) => zremrange(c, RangeType.Lex),
  },
  {
    name: 'zpopmin', arity: -2, flags: F.Write | F.Fast, acl: [...W, 'fast'], group, since: '5.0.0',
    summary: 'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity: POP, ...key1, keySpecs: RW_POP, handler: (c) => zpop(c, false),
  },
  {
    name: 'zpopmax', arity: -2, flags: F.Write | F.Fast, acl: [...W, 'fast'], group, since: '5.0.0',
    summary: 'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.',
    complexity: POP, ...key1, keySpecs: RW_POP, handler: (c) => zpop(c, true),
  },
  {
    name: 'bzpopmin', arity: -3, flags: F.Write | F.Fast | F.Blocking, acl: [...W, 'fast', 'blocking'], group,
    since: '5.0.0',
    summary: 'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: BPOP, firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: -2, step: 1 }], handler: (c) => bzpop(c, false),
  },
  {
    name: 'bzpopmax', arity: -3, flags: F.Write | F.Fast | F.Blocking, acl: [...W, 'fast', 'blocking'], group,
    since: '5.0.0',
    summary: 'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.',
    complexity: BPOP, firstKey: 1, lastKey: -2, step: 1,
    keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: -2, step: 1 }], handler: (c) => bzpop(c, true),
  },
  {
    name: 'zmpop', arity: -4, flags: F.Write | F.MovableKeys, acl: [...W, 'slow'], group, since: '7.0.0',
    summary: 'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.',
    complexity: MPOP, keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: zmpop,
  },
  {
    name: 'bzmpop', arity: -5, flags: F.Write | F.Blocking | F.MovableKeys, acl: [...W, 'slow', 'blocking'], group,
    since: '7.0.0',
    summary: 'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.',
    complexity: MPOP, keySpecs: [{ flags: ['RW', 'access', 'delete'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: bzmpop,
  },
  {
    name: 'zrandmember', arity: -2, flags: F.Readonly, acl: [...R, 'slow'], group, since: '6.2.0',
    summary: 'Returns one or more random members from a sorted set.', complexity: 'O(N) where N is the number of members returned',
    ...key1, tips: NONDETERMINISTIC, keySpecs: RO_ACCESS, handler: zrandmember,
  },
  {
    name: 'zscan', arity: -3, flags: F.Readonly, acl: [...R, 'slow'], group, since: '2.8.0',
    summary: 'Iterates over members and scores of a sorted set.',
    complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
    ...key1, tips: NONDETERMINISTIC, keySpecs: RO_ACCESS, handler: zscan,
  },
  {
    name: 'zunion', arity: -3, flags: F.Readonly | F.MovableKeys, acl: [...R, 'slow'], group, since: '6.2.0',
    summary: 'Returns the union of multiple sorted sets.',
    complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: (c) => zunion(c, false),
  },
  {
    name: 'zunionstore', arity: -4, flags: F.Write | F.DenyOom | F.MovableKeys, acl: [...W, 'slow'], group,
    since: '2.0.0', summary: 'Stores the union of multiple sorted sets in a key.',
    complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    ...key1, keySpecs: [...OW_DEST, { flags: ['RO', 'access'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }], handler: (c) => zunion(c, true),
  },
  {
    name: 'zinter', arity: -3, flags: F.Readonly | F.MovableKeys, acl: [...R, 'slow'], group, since: '6.2.0',
    summary: 'Returns the intersect of multiple sorted sets.', complexity: INTER, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: (c) => zinter(c, false),
  },
  {
    name: 'zinterstore', arity: -4, flags: F.Write | F.DenyOom | F.MovableKeys, acl: [...W, 'slow'], group,
    since: '2.0.0', summary: 'Stores the intersect of multiple sorted sets in a key.', complexity: INTER,
    ...key1, keySpecs: [...OW_DEST, { flags: ['RO', 'access'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }], handler: (c) => zinter(c, true),
  },
  {
    name: 'zintercard', arity: -3, flags: F.Readonly | F.MovableKeys, acl: [...R, 'slow'], group, since: '7.0.0',
    summary: 'Returns the number of members of the intersect of multiple sorted sets.',
    complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: zintercard,
  },
  {
    name: 'zdiff', arity: -3, flags: F.Readonly | F.MovableKeys, acl: [...R, 'slow'], group, since: '6.2.0',
    summary: 'Returns the difference between multiple sorted sets.', complexity: DIFF, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }],
    handler: (c) => zdiff(c, false),
  },
  {
    name: 'zdiffstore', arity: -4, flags: F.Write | F.DenyOom | F.MovableKeys, acl: [...W, 'slow'], group,
    since: '6.2.0', summary: 'Stores the difference of multiple sorted sets in a key.', complexity: DIFF,
    ...key1, keySpecs: [...OW_DEST, { flags: ['RO', 'access'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }], handler: (c) => zdiff(c, true),
  },
];
