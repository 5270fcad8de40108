// Range commands of the sorted set (t_zset.c): ZCOUNT, ZLEXCOUNT, the ZRANGE family (ZRANGE,
// ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX) and ZREMRANGEBYRANK/SCORE/LEX.
// A range is resolved to a first rank and a count with two O(log n) skiplist searches, then
// walked node by node, so replies know their length up front.
import type { LexRange, ScoreRange } from '../data/zset-range.js';
import { NIL, RedisZset } from '../data/zset.js';
import type { CommandCall } from '../table/table.js';
import { longArg, parseLexRange, parseScoreRange } from './zset-args.js';
import { beginScored, lookupZset, membersRemoved, replyScored, storeResult } from './zset-util.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX } from '../util/errors.js';

const ERR_RANGE_NOT_FLOAT = 'min or max is not a float';
const ERR_LEX_RANGE = 'min or max not valid string range item';

export function zcount(call: CommandCall): void {
  const { args, reply } = call;
  const range = parseScoreRange(args.str(2), args.str(3));
  if (range === null) {
    reply.error(ERR_RANGE_NOT_FLOAT);
    return;
  }
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs !== null) reply.integer(zs === undefined ? 0 : zs.countScoreRange(range));
}

export function zlexcount(call: CommandCall): void {
  const { args, reply } = call;
  const range = parseLexRange(args.str(2), args.str(3));
  if (range === null) {
    reply.error(ERR_LEX_RANGE);
    return;
  }
  const zs = lookupZset(call, call.server.keyspace.dbs[call.client.db], args.str(1));
  if (zs !== null) reply.integer(zs === undefined ? 0 : zs.countLexRange(range));
}

// ---- the ZRANGE family ------------------------------------------------------------------------

export enum RangeType {
  Auto,
  Rank,
  Score,
  Lex,
}

export enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * zrangeGenericCommand: `<src> <min> <max> [BYSCORE|BYLEX] [REV] [WITHSCORES] [LIMIT offset
 * count]` with `<src>` at args[srcAt]; the legacy commands fix the type or direction, which then
 * may not be given as options. With `store` the range goes to args[1] (ZRANGESTORE).
 */
export function zrangeGeneric(call: CommandCall, srcAt: number, store: boolean, type: RangeType, dir: Direction): void {
  const { args, reply, client, server } = call;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = srcAt + 3; j < args.count; j++) {
    const left = args.count - j - 1;
    if (!store && args.is(j, 'withscores')) {
      withScores = true;
    } else if (args.is(j, 'limit') && left >= 2) {
      const o = longArg(args, j + 1);
      const l = o === null ? null : longArg(args, j + 2);
      if (o === null || l === null) {
        reply.error(ERR_NOT_INTEGER);
        return;
      }
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === Direction.Auto && args.is(j, 'rev')) {
      dir = Direction.Reverse;
    } else if (type === RangeType.Auto && args.is(j, 'bylex')) {
      type = RangeType.Lex;
    } else if (type === RangeType.Auto && args.is(j, 'byscore')) {
      type = RangeType.Score;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (type === RangeType.Auto) type = RangeType.Rank;
  const reverse = dir === Direction.Reverse;
  if (limit !== -1 && type === RangeType.Rank) {
    reply.error('syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && type === RangeType.Lex) {
    reply.error('syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  // Score and lex ranges are given as max, min when reversed.
  let minAt = srcAt + 1;
  let maxAt = srcAt + 2;
  if (reverse && type !== RangeType.Rank) [minAt, maxAt] = [maxAt, minAt];

  let start = 0;
  let stop = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === RangeType.Rank) {
    const a = longArg(args, minAt);
    const b = a === null ? null : longArg(args, maxAt);
    if (a === null || b === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    start = a;
    stop = b;
  } else if (type === RangeType.Score) {
    scoreRange = parseScoreRange(args.str(minAt), args.str(maxAt));
    if (scoreRange === null) {
      reply.error(ERR_RANGE_NOT_FLOAT);
      return;
    }
  } else {
    lexRange = parseLexRange(args.str(minAt), args.str(maxAt));
    if (lexRange === null) {
      reply.error(ERR_LEX_RANGE);
      return;
    }
  }

  const db = server.keyspace.dbs[client.db];
  const zs = lookupZset(call, db, args.str(srcAt));
  if (zs === null) return;
  // The range as [first rank, count] walked forwards or backwards.
  let from = 0;
  let n = 0;
  if (zs !== undefined) {
    const len = zs.size;
    if (type === RangeType.Rank) {
      if (start < 0) start += len;
      if (stop < 0) stop += len;
      if (start < 0) start = 0;
      if (start <= stop && start < len) {
        if (stop >= len) stop = len - 1;
        n = stop - start + 1;
        from = reverse ? len - 1 - start : start;
      }
    } else if (offset >= 0 && (offset === 0 || offset < len)) {
      const first = scoreRange !== null ? zs.firstInScoreRange(scoreRange) : zs.firstInLexRange(lexRange!);
      if (first >= 0) {
        const last = scoreRange !== null ? zs.lastInScoreRange(scoreRange) : zs.lastInLexRange(lexRange!);
        const available = last - first + 1 - offset;
        if (available > 0) {
          n = limit < 0 ? available : Math.min(limit, available);
          from = reverse ? last - offset : first + offset;
        }
      }
    }
  }

  if (store) {
    const result = new RedisZset();
    if (type === RangeType.Rank) result.sizeHint(n);
    for (let node = n > 0 ? zs!.at(from) : NIL, k = 0; node !== NIL && k < n; k++) {
      result.insert(zs!.memberOf(node), zs!.scoreOf(node));
      node = reverse ? zs!.prev(node) : zs!.next(node);
    }
    storeResult(call, args.str(1), result, 'zrangestore');
    return;
  }
  beginScored(reply, n, withScores);
  for (let node = n > 0 ? zs!.at(from) : NIL, k = 0; node !== NIL && k < n; k++) {
    replyScored(reply, zs!.memberOf(node), zs!.scoreOf(node), withScores);
    node = reverse ? zs!.prev(node) : zs!.next(node);
  }
}

// ---- ZREMRANGEBY* -----------------------------------------------------------------------------

export function zremrange(call: CommandCall, type: RangeType): void {
  const { args, reply, client, server } = call;
  let start = 0;
  let stop = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  let event: string;
  if (type === RangeType.Rank) {
    event = 'zremrangebyrank';
    const a = longArg(args, 2);
    const b = a === null ? null : longArg(args, 3);
    if (a === null || b === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    start = a;
    stop = b;
  } else if (type === RangeType.Score) {
    event = 'zremrangebyscore';
    scoreRange = parseScoreRange(args.str(2), args.str(3));
    if (scoreRange === null) {
      reply.error(ERR_RANGE_NOT_FLOAT);
      return;
    }
  } else {
    event = 'zremrangebylex';
    lexRange = parseLexRange(args.str(2), args.str(3));
    if (lexRange === null) {
      reply.error(ERR_LEX_RANGE);
      return;
    }
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const zs = lookupZset(call, db, key);
  if (zs === null) return;
  if (zs === undefined) {
    reply.integer(0);
    return;
  }
  let deleted: number;
  if (type === RangeType.Rank) {
    const len = zs.size;
    if (start < 0) start += len;
    if (stop < 0) stop += len;
    if (start < 0) start = 0;
    if (start > stop || start >= len) {
      reply.integer(0);
      return;
    }
    if (stop >= len) stop = len - 1;
    deleted = zs.deleteRankRange(start, stop);
  } else if (scoreRange !== null) {
    deleted = zs.deleteScoreRange(scoreRange);
  } else {
    deleted = zs.deleteLexRange(lexRange!);
  }
  if (deleted > 0) membersRemoved(call, db, key, zs, deleted, event);
  reply.integer(deleted);
}
