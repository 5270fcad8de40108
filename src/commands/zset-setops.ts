// ZUNION, ZINTER, ZDIFF, ZINTERCARD and ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE (t_zset.c
// zunionInterDiffGenericCommand). Inputs are sorted sets or plain sets (every member scoring 1);
// a missing key is an empty input. Weights multiply each input's scores (inf * 0 counts as 0)
// and AGGREGATE SUM|MIN|MAX merges them (inf + -inf sums to 0). Inputs are taken smallest first,
// as Redis sorts them (stably), which also fixes the order floating-point sums are made in.
import { RedisSet } from '../data/set.js';
import { NIL, RedisZset } from '../data/zset.js';
import type { CommandCall } from '../table/table.js';
import { longArg, parseScore } from './zset-args.js';
import { beginScored, replyScored, storeResult } from './zset-util.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';

const enum SetOp {
  Union,
  Inter,
  Diff,
}

const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** One input: a sorted set, a set, or nothing (a missing key). */
interface Source {
  readonly zset: RedisZset | undefined;
  readonly set: RedisSet | undefined;
  readonly size: number;
  weight: number;
}

function scoreIn(src: Source, member: string): number | undefined {
  if (src.zset !== undefined) return src.zset.score(member);
  if (src.set !== undefined && src.set.has(member)) return 1;
  return undefined;
}

/** Calls `visit` with every (member, score) of the input. */
function eachMember(call: CommandCall, src: Source, visit: (member: string, score: number) => boolean | void): void {
  if (src.zset !== undefined) {
    // From the highest score down, as zuiNext walks a sorted set.
    const zs = src.zset;
    for (let n = zs.last; n !== NIL; n = zs.prev(n)) if (visit(zs.memberOf(n), zs.scoreOf(n)) === false) return;
  } else if (src.set !== undefined) {
    for (const m of src.set.members(call.server.config)) if (visit(m, 1) === false) return;
  }
}

function aggregate(target: number, value: number, how: Aggregate): number {
  switch (how) {
    case Aggregate.Sum: {
      const sum = target + value;
      return sum !== sum ? 0 : sum;
    }
    case Aggregate.Min:
      return value < target ? value : target;
    case Aggregate.Max:
      return value > target ? value : target;
  }
}

/** A member and its computed score. */
type Entry = [member: string, score: number];

/**
 * The generic command. `store`: the destination is args[1] and numkeys args[2] (else numkeys is
 * args[1]); `cardinality`: ZINTERCARD, which counts instead of building the result.
 */
function setop(call: CommandCall, op: SetOp, store: boolean, cardinality: boolean, name: string): void {
  const { args, reply, client, server } = call;
  const numkeysAt = store ? 2 : 1;
  const setnum = longArg(args, numkeysAt);
  if (setnum === null) {
    reply.error(ERR_NOT_INTEGER);
    return;
  }
  if (setnum < 1) {
    reply.error(`at least 1 input key is needed for '${name}' command`);
    return;
  }
  if (setnum > args.count - (numkeysAt + 1)) {
    reply.error(ERR_SYNTAX);
    return;
  }
  // Inputs are looked up (and type-checked) before the options are read.
  const db = server.keyspace.dbs[client.db];
  const sources: Source[] = [];
  let j = numkeysAt + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = db.lookup(args.str(j), call.now);
    if (v === undefined) {
      sources.push({ zset: undefined, set: undefined, size: 0, weight: 1 });
    } else if (v instanceof RedisZset) {
      sources.push({ zset: v, set: undefined, size: v.size, weight: 1 });
    } else if (v instanceof RedisSet) {
      sources.push({ zset: undefined, set: v, size: v.size, weight: 1 });
    } else {
      reply.error(ERR_WRONGTYPE);
      return;
    }
  }

  let how = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  while (j < args.count) {
    const remaining = args.count - j;
    if (op !== SetOp.Diff && !cardinality && remaining >= setnum + 1 && args.is(j, 'weights')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseScore(args.str(j));
        if (w === null) {
          reply.error('weight value is not a float');
          return;
        }
        sources[i].weight = w;
      }
    } else if (op !== SetOp.Diff && !cardinality && remaining >= 2 && args.is(j, 'aggregate')) {
      if (args.is(j + 1, 'sum')) how = Aggregate.Sum;
      else if (args.is(j + 1, 'min')) how = Aggregate.Min;
      else if (args.is(j + 1, 'max')) how = Aggregate.Max;
      else {
        reply.error(ERR_SYNTAX);
        return;
      }
      j += 2;
    } else if (!store && !cardinality && args.is(j, 'withscores')) {
      withScores = true;
      j++;
    } else if (cardinality && remaining >= 2 && args.is(j, 'limit')) {
      const l = parseInteger(args.str(j + 1));
      if (l === null || l < 0) {
        reply.error("LIMIT can't be negative");
        return;
      }
      limit = Number(l);
      j += 2;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  // Smallest input first (a stable sort, as glibc's qsort merge sort is); DIFF keeps its first.
  if (op !== SetOp.Diff) sources.sort((a, b) => a.size - b.size);

  if (cardinality) {
    reply.integer(intersect(call, sources, how, limit, undefined));
    return;
  }
  const entries: Entry[] = [];
  if (op === SetOp.Inter) intersect(call, sources, how, 0, entries);
  else if (op === SetOp.Union) union(call, sources, how, entries);
  else difference(call, sources, entries);

  if (store) {
    entries.sort(byScoreThenMember);
    const result = new RedisZset();
    for (const [m, s] of entries) result.insert(m, s);
    storeResult(call, args.str(1), result, op === SetOp.Union ? 'zunionstore' : op === SetOp.Inter ? 'zinterstore' : 'zdiffstore');
    return;
  }
  entries.sort(byScoreThenMember);
  beginScored(reply, entries.length, withScores);
  for (const [m, s] of entries) replyScored(reply, m, s, withScores);
}

function byScoreThenMember(a: Entry, b: Entry): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/**
 * Members of the smallest input found in every other one; into `out` with their aggregated
 * score, or only counted (stopping at `limit` when it is not 0) when `out` is undefined.
 */
function intersect(call: CommandCall, sources: Source[], how: Aggregate, limit: number, out: Entry[] | undefined): number {
  const first = sources[0];
  let found = 0;
  if (first.size === 0) return 0;
  eachMember(call, first, (member, score) => {
    let total = first.weight * score;
    if (total !== total) total = 0;
    for (let k = 1; k < sources.length; k++) {
      const src = sources[k];
      // The same key given twice is the same object: its score is this one.
      const s = src.zset === first.zset && src.set === first.set ? score : scoreIn(src, member);
      if (s === undefined) return true;
      total = aggregate(total, s * src.weight, how);
    }
    found++;
    if (out !== undefined) out.push([member, total]);
    else if (limit !== 0 && found >= limit) return false;
    return true;
  });
  return found;
}

function union(call: CommandCall, sources: Source[], how: Aggregate, out: Entry[]): void {
  const acc = new Map<string, number>();
  for (const src of sources) {
    if (src.size === 0) continue;
    eachMember(call, src, (member, score) => {
      let s = src.weight * score;
      if (s !== s) s = 0;
      const prev = acc.get(member);
      acc.set(member, prev === undefined ? s : aggregate(prev, s, how));
    });
  }
  for (const [m, s] of acc) out.push([m, s]);
}

/** Members of the first input in none of the others, with their first-input scores. */
function difference(call: CommandCall, sources: Source[], out: Entry[]): void {
  const first = sources[0];
  eachMember(call, first, (member, score) => {
    for (let k = 1; k < sources.length; k++) if (scoreIn(sources[k], member) !== undefined) return;
    out.push([member, score]);
  });
}

export const zunion = (call: CommandCall, store: boolean): void =>
  setop(call, SetOp.Union, store, false, store ? 'zunionstore' : 'zunion');
export const zinter = (call: CommandCall, store: boolean): void =>
  setop(call, SetOp.Inter, store, false, store ? 'zinterstore' : 'zinter');
export const zdiff = (call: CommandCall, store: boolean): void =>
  setop(call, SetOp.Diff, store, false, store ? 'zdiffstore' : 'zdiff');
export const zintercard = (call: CommandCall): void => setop(call, SetOp.Inter, false, true, 'zintercard');
