// Stream commands that add, read by range, delete and trim (t_stream.c): XADD, XRANGE,
// XREVRANGE, XLEN, XDEL, XTRIM, XSETID. XREAD/XREADGROUP are in stream-read.ts, consumer groups
// in stream-groups.ts, XINFO in stream-info.ts. A stream key stays when its last entry goes.
import type { Arg } from './propagate.js';
import { Lookup, type Db } from '../data/keyspace.js';
import { RedisStream, type StreamEntry, type TrimArgs } from '../data/stream.js';
import { cmpId, decrId, ERR_INVALID_ID, formatId, ID_MAX, ID_ZERO, incrId, isZeroId, parseId, parseIntervalId, type StreamID } from '../data/stream-id.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { lookupKey, touchFlags } from './lookup.js';
import { notifyKeyspaceEvent } from './notify.js';

const F = CmdFlag;

// ---- shared with the other stream families ------------------------------------------------------

/**
 * The stream at `key`: undefined when missing; null, with WRONGTYPE replied, for another type.
 * `read` is lookupKeyRead (hits and misses count) rather than lookupKeyWrite.
 */
export function lookupStream(call: CommandCall, db: Db, key: string, read: boolean): RedisStream | undefined | null {
  const v = lookupKey(call, db, key, touchFlags(call.client) | (read ? Lookup.Read : 0));
  if (v === undefined || v instanceof RedisStream) return v;
  call.reply.error(ERR_WRONGTYPE);
  return null;
}

/** An entry as streams reply it: [id, [field, value, ...]]. */
export function replyEntry(r: ReplyWriter, e: StreamEntry): void {
  r.array(2);
  r.bulkStr(formatId(e.id));
  r.array(e.fv.length);
  for (const s of e.fv) r.bulkStr(s);
}

export function replyEntries(r: ReplyWriter, entries: readonly StreamEntry[]): void {
  r.array(entries.length);
  for (const e of entries) replyEntry(r, e);
}

/** A strict ID argument (no `-` or `+`), or null after the error reply. */
export function strictIdArg(call: CommandCall, i: number, missingSeq = 0n): StreamID | null {
  const p = parseId(call.args.str(i), missingSeq, true);
  if (!p) {
    call.reply.error(ERR_INVALID_ID);
    return null;
  }
  return p.id;
}

/** getLongLongFromObjectOrReply: a signed 64-bit integer (as a number, clamped past 2^53), or null. */
export function longLongArg(call: CommandCall, i: number): number | null {
  const v = parseInteger(call.args.str(i));
  if (v === null) {
    call.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  return typeof v === 'bigint' ? (v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER) : v;
}

function nodeLimits(call: CommandCall): { bytes: number; entries: number } {
  const c = call.server.config;
  return { bytes: c.int('stream-node-max-bytes'), entries: c.int('stream-node-max-entries') };
}

// ---- XADD and XTRIM options -----------------------------------------------------------------------

interface AddTrimArgs {
  trim: TrimArgs | undefined;
  noMkStream: boolean;
  id: StreamID | undefined;
  seqGiven: boolean;
  /** Index of the ID argument (XADD). */
  idPos: number;
  /** Index of the MAXLEN/MINID threshold argument (0: none). */
  trimArgIdx: number;
}

/** streamParseAddOrTrimArgsOrReply; null after the error reply. */
function parseAddOrTrim(call: CommandCall, xadd: boolean): AddTrimArgs | null {
  const { args, reply } = call;
  const out: AddTrimArgs = { trim: undefined, noMkStream: false, id: undefined, seqGiven: true, idPos: args.count, trimArgIdx: 0 };
  let strategy: 'maxlen' | 'minid' | undefined;
  let approx = false;
  let maxlen = 0;
  let minid: StreamID = ID_ZERO;
  let limit = 0;
  let limitGiven = false;
  let i = 2;
  for (; i < args.count; i++) {
    const more = args.count - 1 - i;
    const opt = args.str(i);
    if (xadd && opt === '*') break;
    const lower = opt.toLowerCase();
    if ((lower === 'maxlen' || lower === 'minid') && more) {
      if (strategy) {
        reply.error('syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      approx = false;
      const next = args.str(i + 1);
      if (more >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      out.trimArgIdx = i + 1;
      if (lower === 'maxlen') {
        const n = longLongArg(call, i + 1);
        if (n === null) return null;
        if (n < 0) {
          reply.error('The MAXLEN argument must be >= 0.');
          return null;
        }
        maxlen = n;
      } else {
        const id = strictIdArg(call, i + 1);
        if (id === null) return null;
        minid = id;
      }
      i++;
      strategy = lower;
    } else if (lower === 'limit' && more) {
      const n = longLongArg(call, i + 1);
      if (n === null) return null;
      if (n < 0) {
        reply.error('The LIMIT argument must be >= 0.');
        return null;
      }
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && lower === 'nomkstream') {
      out.noMkStream = true;
    } else if (xadd) {
      const p = parseId(opt, 0n, true, true);
      if (!p) {
        reply.error(ERR_INVALID_ID);
        return null;
      }
      out.id = p.id;
      out.seqGiven = p.seqGiven;
      break;
    } else {
      reply.error(ERR_SYNTAX);
      return null;
    }
  }
  out.idPos = i;
  if (limit && !strategy) {
    reply.error('syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && !strategy) {
    reply.error('syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (limitGiven) {
    if (!approx) {
      reply.error('syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (approx) {
    limit = 100 * call.server.config.int('stream-node-max-entries');
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else limit = 0;
  if (strategy) out.trim = { strategy, maxlen, minid, approx, limit };
  return out;
}

// ---- commands -----------------------------------------------------------------------------------

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
function xadd(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const p = parseAddOrTrim(call, true);
  if (!p) return;
  const fieldPos = p.idPos + 1;
  if (args.count - fieldPos < 2 || (args.count - fieldPos) % 2 === 1) {
    reply.error("wrong number of arguments for 'xadd' command");
    return;
  }
  if (p.id && p.seqGiven && isZeroId(p.id)) {
    reply.error('The ID specified in XADD must be greater than 0-0');
    return;
  }
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  let s = lookupStream(call, db, key, false);
  if (s === null) return;
  if (s === undefined) {
    if (p.noMkStream) {
      reply.nullBulk();
      return;
    }
    s = new RedisStream();
    db.set(key, s);
  }
  if (cmpId(s.lastId, ID_MAX) === 0) {
    reply.error('The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  const fv: string[] = [];
  for (let i = fieldPos; i < args.count; i++) fv.push(args.str(i));
  const lim = nodeLimits(call);
  const id = s.append(fv, p.id, p.seqGiven, lim.bytes, lim.entries, call.now);
  if (id === 'edom') {
    reply.error('The ID specified in XADD is equal or smaller than the target stream top item');
    return;
  }
  if (id === 'erange') {
    reply.error('Elements are too large to be stored');
    return;
  }
  reply.bulkStr(formatId(id));
  db.touch(key);
  notifyKeyspaceEvent(server, 't', 'xadd', key, client.db);
  server.dirty++;
  if (p.trim && s.trim(p.trim)) notifyKeyspaceEvent(server, 't', 'xtrim', key, client.db);
  server.blocked.signalKeyAsReady(client.db, key);
  if (server.propagation.active && (p.trim?.approx || !p.id || !p.seqGiven)) {
    const argv = propagatedTrim(call, s, p);
    // The ID as generated, so that a replica and the AOF get the same one.
    if (!p.id || !p.seqGiven) argv[p.idPos] = formatId(id);
    call.propagateAs = argv;
  }
}

/**
 * The command as propagated after an approximate trim (streamRewriteApproxSpecifier and
 * streamRewriteTrimArgument): `~` becomes `=`, and the threshold what the trim left (the length,
 * or the first ID), so that trimming is deterministic on replicas and in the AOF.
 */
function propagatedTrim(call: CommandCall, s: RedisStream, p: AddTrimArgs): Arg[] {
  const { args } = call;
  const argv: Arg[] = [];
  for (let i = 0; i < args.count; i++) argv.push(args.buf(i));
  if (p.trim?.approx) {
    argv[p.trimArgIdx - 1] = '=';
    argv[p.trimArgIdx] = p.trim.strategy === 'maxlen' ? String(s.length) : formatId(s.edgeId(true, false));
  }
  return argv;
}

/** XRANGE key start end [COUNT n] and XREVRANGE key end start [COUNT n]. */
function xrange(call: CommandCall, rev: boolean): void {
  const { args, reply, client, server } = call;
  const start = parseIntervalId(args.str(rev ? 3 : 2), 0n);
  if (!start) {
    reply.error(ERR_INVALID_ID);
    return;
  }
  let startId: StreamID | undefined = start.id;
  if (start.exclusive) {
    startId = incrId(start.id);
    if (!startId) {
      reply.error('invalid start ID for the interval');
      return;
    }
  }
  const end = parseIntervalId(args.str(rev ? 2 : 3), ID_MAX.seq);
  if (!end) {
    reply.error(ERR_INVALID_ID);
    return;
  }
  let endId: StreamID | undefined = end.id;
  if (end.exclusive) {
    endId = decrId(end.id);
    if (!endId) {
      reply.error('invalid end ID for the interval');
      return;
    }
  }
  let count = -1;
  for (let j = 4; j < args.count; j++) {
    if (args.is(j, 'count') && j + 1 < args.count) {
      const n = longLongArg(call, ++j);
      if (n === null) return;
      count = Math.max(0, n);
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const s = lookupStream(call, server.keyspace.dbs[client.db]!, args.str(1), true);
  if (s === null) return;
  if (s === undefined) {
    reply.array(0);
    return;
  }
  if (count === 0) {
    reply.nullArray();
    return;
  }
  replyEntries(reply, s.entries(startId, endId, rev, count === -1 ? 0 : count));
}

function xlen(call: CommandCall): void {
  const s = lookupStream(call, call.server.keyspace.dbs[call.client.db]!, call.args.str(1), true);
  if (s === null) return;
  call.reply.integer(s?.length ?? 0);
}

/** XDEL key id [id ...]: every ID is checked before any is deleted. */
function xdel(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  const s = lookupStream(call, db, key, false);
  if (s === null) return;
  if (s === undefined) {
    reply.integer(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 2; j < args.count; j++) {
    const id = strictIdArg(call, j);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  let firstEntry = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (cmpId(id, s.firstId) === 0) firstEntry = true;
    if (cmpId(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted) {
    if (s.length === 0) s.firstId = ID_ZERO;
    else if (firstEntry) s.firstId = s.edgeId(true);
    db.touch(key);
    notifyKeyspaceEvent(server, 't', 'xdel', key, client.db);
    server.dirty += deleted;
  }
  reply.integer(deleted);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
function xtrim(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const p = parseAddOrTrim(call, false);
  if (!p) return;
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  const s = lookupStream(call, db, key, false);
  if (s === null) return;
  if (s === undefined) {
    reply.integer(0);
    return;
  }
  const deleted = s.trim(p.trim!);
  if (deleted) {
    notifyKeyspaceEvent(server, 't', 'xtrim', key, client.db);
    db.touch(key);
    server.dirty += deleted;
  }
  reply.integer(deleted);
  if (server.propagation.active && p.trim!.approx) call.propagateAs = propagatedTrim(call, s, p);
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetid(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const id = strictIdArg(call, 2);
  if (id === null) return;
  let entriesAdded = -1;
  let maxDeleted = ID_ZERO;
  for (let i = 3; i < args.count; ) {
    const more = args.count - 1 - i;
    if (args.is(i, 'entriesadded') && more) {
      const n = longLongArg(call, i + 1);
      if (n === null) return;
      if (n < 0) {
        reply.error('entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i += 2;
    } else if (args.is(i, 'maxdeletedid') && more) {
      const m = strictIdArg(call, i + 1);
      if (m === null) return;
      if (cmpId(id, m) < 0) {
        reply.error('The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxDeleted = m;
      i += 2;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  const s = lookupStream(call, db, key, false);
  if (s === null) return;
  if (s === undefined) {
    reply.error('no such key');
    return;
  }
  if (cmpId(id, s.maxDeletedId) < 0) {
    reply.error('The ID specified in XSETID is smaller than current max_deleted_entry_id');
    return;
  }
  if (s.length > 0) {
    if (cmpId(id, s.lastValidId()) < 0) {
      reply.error('The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      reply.error('The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!isZeroId(maxDeleted)) s.maxDeletedId = maxDeleted;
  reply.status('OK');
  server.dirty++;
  notifyKeyspaceEvent(server, 't', 'xsetid', key, client.db);
}

export const streamCommands: CommandDef[] = [
  {
    name: 'xadd', arity: -5, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'stream', 'fast'], group: 'stream', since: '5.0.0',
    summary: "Appends a new message to a stream. Creates the key if it doesn't exist.",
    complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RW', 'update'], notes: 'UPDATE instead of INSERT because of the optional trimming feature', begin: 1, lastKey: 0, step: 1 }],
    tips: ['nondeterministic_output'],
    handler: xadd,
  },
  {
    name: 'xrange', arity: -4, flags: F.Readonly, acl: ['read', 'stream', 'slow'], group: 'stream', since: '5.0.0',
    summary: 'Returns the messages from a stream within a range of IDs.',
    complexity: 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => xrange(c, false),
  },
  {
    name: 'xrevrange', arity: -4, flags: F.Readonly, acl: ['read', 'stream', 'slow'], group: 'stream', since: '5.0.0',
    summary: 'Returns the messages from a stream within a range of IDs in reverse order.',
    complexity: 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => xrange(c, true),
  },
  {
    name: 'xlen', arity: 2, flags: F.Readonly | F.Fast, acl: ['read', 'stream', 'fast'], group: 'stream', since: '5.0.0',
    summary: 'Return the number of messages in a stream.',
    complexity: 'O(1)',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RO'], begin: 1, lastKey: 0, step: 1 }],
    handler: xlen,
  },
  {
    name: 'xdel', arity: -3, flags: F.Write | F.Fast, acl: ['write', 'stream', 'fast'], group: 'stream', since: '5.0.0',
    summary: 'Returns the number of messages after removing them from a stream.',
    complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RW', 'delete'], begin: 1, lastKey: 0, step: 1 }],
    handler: xdel,
  },
  {
    name: 'xtrim', arity: -4, flags: F.Write, acl: ['write', 'stream', 'slow'], group: 'stream', since: '5.0.0',
    summary: 'Deletes messages from the beginning of a stream.',
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RW', 'delete'], begin: 1, lastKey: 0, step: 1 }],
    tips: ['nondeterministic_output'],
    handler: xtrim,
  },
  {
    name: 'xsetid', arity: -3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'stream', 'fast'], group: 'stream', since: '5.0.0',
    summary: 'An internal command for replicating stream values.',
    complexity: 'O(1)',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RW', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: xsetid,
  },
];
