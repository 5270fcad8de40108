// Consumer group commands (t_stream.c): XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER,
// XACK, XPENDING (summary and extended form, IDLE), XCLAIM and XAUTOCLAIM. Entries are handed
// to consumers by XREADGROUP (stream-read.ts); these commands move and acknowledge them.
import { groupPropagation, propagateGroupId, propagateXclaim } from './stream-propagate.js';
import { RedisStream } from '../data/stream.js';
import { ENTRIES_READ_INVALID, type Nack, type StreamConsumer, StreamGroup } from '../data/stream-group.js';
import { cmpId, decrId, ERR_INVALID_ID, formatId, ID_ZERO, incrId, parseId, parseIntervalId, U64_MAX, type StreamID } from '../data/stream-id.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { replyHelp } from './help.js';
import { notifyKeyspaceEvent } from './notify.js';
import { longLongArg, lookupStream, replyEntry, strictIdArg } from './streams.js';

const F = CmdFlag;

function subcommandError(call: CommandCall): void {
  call.reply.error(`unknown subcommand or wrong number of arguments for '${call.args.str(1).slice(0, 128)}'. Try ${call.args.str(0).toUpperCase()} HELP.`);
}

/** getLongLongFromObjectOrReply with a custom error text. */
function longArgOr(call: CommandCall, i: number, msg: string): number | null {
  const v = parseInteger(call.args.str(i));
  if (v === null) {
    call.reply.error(msg);
    return null;
  }
  return typeof v === 'bigint' ? (v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER) : v;
}

/** The key's stream and its group, or null after a NOGROUP (or WRONGTYPE) reply. */
function streamAndGroup(call: CommandCall, write: boolean): { s: RedisStream; g: StreamGroup } | null {
  const key = call.args.str(1);
  const name = call.args.str(2);
  const s = lookupStream(call, call.server.keyspace.dbs[call.client.db]!, key, !write);
  if (s === null) return null;
  const g = s?.groups?.get(name);
  if (!s || !g) {
    call.reply.error(`-NOGROUP No such key '${key}' or consumer group '${name}'`);
    return null;
  }
  return { s, g };
}

/** streamCreateConsumer with SCC_DEFAULT when missing: notified and counted as a change. */
export function consumerFor(call: CommandCall, g: StreamGroup, name: string, key: string): StreamConsumer {
  const found = g.consumer(name);
  if (found) return found;
  const c = g.createConsumer(name, call.now)!;
  notifyKeyspaceEvent(call.server, 't', 'xgroup-createconsumer', key, call.client.db);
  call.server.dirty++;
  return c;
}

// ---- XGROUP -------------------------------------------------------------------------------------

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  '      Set the group\'s entries_read counter (internal use).',
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Print this help.',
];

/** xgroupCommand: the options and key checks its subcommands share, then the subcommand. */
function xgroup(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const opt = args.lower(1);
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(2);
  let s: RedisStream | undefined;
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  let g: StreamGroup | undefined;
  const name = args.str(3);
  const create = opt === 'create';
  for (let i = 5; i < args.count; ) {
    if (create && args.is(i, 'mkstream')) {
      mkstream = true;
      i++;
    } else if ((create || opt === 'setid') && args.is(i, 'entriesread') && i + 1 < args.count) {
      const n = longLongArg(call, i + 1);
      if (n === null) return;
      if (n < 0 && n !== ENTRIES_READ_INVALID) {
        reply.error('value for ENTRIESREAD must be positive or -1');
        return;
      }
      entriesRead = n;
      i += 2;
    } else {
      subcommandError(call);
      return;
    }
  }
  const found = lookupStream(call, db, key, false);
  if (found === null) return;
  s = found;
  if (!mkstream) {
    if (!s) {
      reply.error('The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
      return;
    }
    g = s.groups?.get(name);
    if (!g && (opt === 'setid' || opt === 'createconsumer' || opt === 'delconsumer')) {
      reply.error(`-NOGROUP No such consumer group '${name}' for key name '${key}'`);
      return;
    }
  }
  if (create && args.count >= 5 && args.count <= 8) {
    let id: StreamID;
    if (args.str(4) === '$') id = s ? s.lastId : ID_ZERO;
    else {
      const p = strictIdArg(call, 4);
      if (p === null) return;
      id = p;
    }
    if (!s) {
      s = new RedisStream();
      db.set(key, s);
    }
    s.groups ??= new Map();
    if (s.groups.has(name)) {
      reply.error('-BUSYGROUP Consumer Group name already exists');
      return;
    }
    s.groups.set(name, new StreamGroup(id, entriesRead));
    reply.status('OK');
    server.dirty++;
    notifyKeyspaceEvent(server, 't', 'xgroup-create', key, client.db);
  } else if (opt === 'setid' && (args.count === 5 || args.count === 7)) {
    let id: StreamID;
    if (args.str(4) === '$') id = s!.lastId;
    else {
      const p = parseId(args.str(4), 0n, false);
      if (!p) {
        reply.error(ERR_INVALID_ID);
        return;
      }
      id = p.id;
    }
    g!.lastId = id;
    g!.entriesRead = entriesRead;
    reply.status('OK');
    server.dirty++;
    notifyKeyspaceEvent(server, 't', 'xgroup-setid', key, client.db);
  } else if (opt === 'destroy' && args.count === 4) {
    if (g) {
      s!.groups!.delete(name);
      reply.integer(1);
      server.dirty++;
      notifyKeyspaceEvent(server, 't', 'xgroup-destroy', key, client.db);
      // Readers blocked on this group wake up to -NOGROUP.
      server.blocked.signalKeyAsReady(client.db, key);
    } else reply.integer(0);
  } else if (opt === 'createconsumer' && args.count === 5) {
    const existed = g!.consumer(args.str(4)) !== undefined;
    if (!existed) consumerFor(call, g!, args.str(4), key);
    reply.integer(existed ? 0 : 1);
  } else if (opt === 'delconsumer' && args.count === 5) {
    const c = g!.consumer(args.str(4));
    let pending = 0;
    if (c) {
      pending = g!.deleteConsumer(c);
      server.dirty++;
      notifyKeyspaceEvent(server, 't', 'xgroup-delconsumer', key, client.db);
    }
    reply.integer(pending);
  } else subcommandError(call);
}

// ---- XACK, XPENDING -----------------------------------------------------------------------------

/** XACK key group id [id ...]: every ID is parsed before any is acknowledged. */
function xack(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const s = lookupStream(call, server.keyspace.dbs[client.db]!, args.str(1), true);
  if (s === null) return;
  const g = s?.groups?.get(args.str(2));
  if (!g) {
    reply.integer(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 3; j < args.count; j++) {
    const id = strictIdArg(call, j);
    if (id === null) return;
    ids.push(id);
  }
  let acked = 0;
  for (const id of ids) {
    const nack = g.pel.get(id);
    if (!nack) continue;
    g.pel.delete(id);
    nack.consumer.pel.delete(id);
    acked++;
    server.dirty++;
  }
  reply.integer(acked);
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpending(call: CommandCall): void {
  const { args, reply, now } = call;
  const argc = args.count;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    reply.error(ERR_SYNTAX);
    return;
  }
  let minIdle = 0;
  let count = 0;
  let start: StreamID = ID_ZERO;
  let end: StreamID = ID_ZERO;
  let consumerName: string | undefined;
  if (argc >= 6) {
    let at = 3;
    if (args.is(3, 'idle')) {
      const n = longLongArg(call, 4);
      if (n === null) return;
      minIdle = n;
      if (argc < 8) {
        reply.error(ERR_SYNTAX);
        return;
      }
      at += 2;
    }
    const c = longLongArg(call, at + 2);
    if (c === null) return;
    count = Math.max(0, c);
    const range = parseRange(call, at);
    if (!range) return;
    [start, end] = range;
    if (at + 3 < argc) consumerName = args.str(at + 3);
  }
  const sg = streamAndGroup(call, false);
  if (!sg) return;
  const { g } = sg;
  if (argc === 3) {
    reply.array(4);
    reply.integer(g.pel.size);
    if (g.pel.size === 0) {
      reply.nullBulk();
      reply.nullBulk();
      reply.nullArray();
      return;
    }
    reply.bulkStr(formatId(g.pel.first()!));
    reply.bulkStr(formatId(g.pel.last()!));
    const withPending = g.sortedConsumers().filter((c) => c.pel.size > 0);
    reply.array(withPending.length);
    for (const c of withPending) {
      reply.array(2);
      reply.bulkStr(c.name);
      reply.bulkStr(String(c.pel.size));
    }
    return;
  }
  let pel = g.pel;
  if (consumerName !== undefined) {
    const c = g.consumer(consumerName);
    if (!c) {
      reply.array(0);
      return;
    }
    pel = c.pel;
  }
  const rows: { id: StreamID; nack: Nack }[] = [];
  for (let i = pel.lowerBound(start); count && i < pel.size && cmpId(pel.ids[i]!, end) <= 0; i++) {
    const nack = pel.vals[i]!;
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    rows.push({ id: pel.ids[i]!, nack });
    count--;
  }
  reply.array(rows.length);
  for (const { id, nack } of rows) {
    reply.array(4);
    reply.bulkStr(formatId(id));
    reply.bulkStr(nack.consumer.name);
    reply.integer(Math.max(0, now - nack.deliveryTime));
    reply.integer(nack.deliveryCount);
  }
}

/** start and end of a range at args[at], args[at+1], `(` exclusive; null after the error reply. */
function parseRange(call: CommandCall, at: number): [StreamID, StreamID] | null {
  const a = parseIntervalId(call.args.str(at), 0n);
  if (!a) {
    call.reply.error(ERR_INVALID_ID);
    return null;
  }
  let start: StreamID | undefined = a.id;
  if (a.exclusive && !(start = incrId(a.id))) {
    call.reply.error('invalid start ID for the interval');
    return null;
  }
  const b = parseIntervalId(call.args.str(at + 1), U64_MAX);
  if (!b) {
    call.reply.error(ERR_INVALID_ID);
    return null;
  }
  let end: StreamID | undefined = b.id;
  if (b.exclusive && !(end = decrId(b.id))) {
    call.reply.error('invalid end ID for the interval');
    return null;
  }
  return [start, end];
}

// ---- XCLAIM, XAUTOCLAIM -------------------------------------------------------------------------

/** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id] */
function xclaim(call: CommandCall): void {
  const { args, reply, server, now } = call;
  const sg = streamAndGroup(call, true);
  if (!sg) return;
  const { s, g } = sg;
  const mi = longArgOr(call, 4, 'Invalid min-idle-time argument for XCLAIM');
  if (mi === null) return;
  const minIdle = Math.max(0, mi);
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < args.count; j++) {
    const p = parseId(args.str(j), 0n, true);
    if (!p) break;
    ids.push(p.id);
  }
  let retryCount = -1;
  let deliveryTime = -1;
  let force = false;
  let justId = false;
  let lastId = ID_ZERO;
  for (; j < args.count; j++) {
    const more = args.count - 1 - j;
    const opt = args.lower(j);
    if (opt === 'force') force = true;
    else if (opt === 'justid') justId = true;
    else if (opt === 'idle' && more) {
      const n = longArgOr(call, ++j, 'Invalid IDLE option argument for XCLAIM');
      if (n === null) return;
      deliveryTime = now - n;
    } else if (opt === 'time' && more) {
      const n = longArgOr(call, ++j, 'Invalid TIME option argument for XCLAIM');
      if (n === null) return;
      deliveryTime = n;
    } else if (opt === 'retrycount' && more) {
      const n = longArgOr(call, ++j, 'Invalid RETRYCOUNT option argument for XCLAIM');
      if (n === null) return;
      retryCount = n;
    } else if (opt === 'lastid' && more) {
      const id = strictIdArg(call, ++j);
      if (id === null) return;
      lastId = id;
    } else {
      reply.error(`Unrecognized XCLAIM option '${args.str(j)}'`);
      return;
    }
  }
  // Never propagated as sent: as XCLAIMs of what changed, or XGROUP SETID for LASTID alone.
  call.preventPropagation = true;
  const prop = groupPropagation(call, args.str(1), args.str(2));
  let propagateLastId = false;
  if (cmpId(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    server.dirty++;
    propagateLastId = true;
  }
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const consumer = consumerFor(call, g, args.str(3), args.str(1));
  consumer.seenTime = now;
  const out: (() => void)[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    let nack = g.pel.get(id);
    const entry = s.get(id);
    if (!entry) {
      if (nack) {
        if (prop) propagateXclaim(prop, g, args.str(5 + k), nack);
        propagateLastId = false;
        server.dirty++;
        g.pel.delete(id);
        nack.consumer.pel.delete(id);
      }
      continue;
    }
    let orphan = false;
    if (force && !nack) {
      nack = { deliveryTime: now, deliveryCount: 1, consumer };
      g.pel.set(id, nack);
      orphan = true;
    }
    if (!nack) continue;
    if (!orphan && minIdle && now - nack.deliveryTime < minIdle) continue;
    if (!orphan && nack.consumer !== consumer) nack.consumer.pel.delete(id);
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount++;
    if (orphan || nack.consumer !== consumer) {
      consumer.pel.set(id, nack);
      nack.consumer = consumer;
    }
    out.push(justId ? () => reply.bulkStr(formatId(id)) : () => replyEntry(reply, entry));
    consumer.activeTime = now;
    if (prop) propagateXclaim(prop, g, args.str(5 + k), nack);
    propagateLastId = false;
    server.dirty++;
  }
  if (prop && propagateLastId) propagateGroupId(prop, g);
  reply.array(out.length);
  for (const f of out) f();
}

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaim(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const mi = longArgOr(call, 4, 'Invalid min-idle-time argument for XAUTOCLAIM');
  if (mi === null) return;
  const minIdle = Math.max(0, mi);
  const a = parseIntervalId(args.str(5), 0n);
  if (!a) {
    reply.error(ERR_INVALID_ID);
    return;
  }
  let start: StreamID | undefined = a.id;
  if (a.exclusive && !(start = incrId(a.id))) {
    reply.error('invalid start ID for the interval');
    return;
  }
  let count = 100;
  let justId = false;
  for (let j = 6; j < args.count; j++) {
    const more = args.count - 1 - j;
    if (args.is(j, 'count') && more) {
      const v = parseInteger(args.str(j + 1));
      // getRangeLongFromObjectOrReply(1, LONG_MAX / 16) with its own text for every failure.
      if (v === null || v < 1 || BigInt(v) > 576460752303423487n) {
        reply.error('COUNT must be > 0');
        return;
      }
      count = Number(v);
      j++;
    } else if (args.is(j, 'justid')) justId = true;
    else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const key = args.str(1);
  const s = lookupStream(call, server.keyspace.dbs[client.db]!, key, true);
  if (s === null) return;
  const g = s?.groups?.get(args.str(2));
  if (!s || !g) {
    reply.error(`-NOGROUP No such key '${key}' or consumer group '${args.str(2)}'`);
    return;
  }
  const consumer = consumerFor(call, g, args.str(3), key);
  consumer.seenTime = now;
  call.preventPropagation = true;
  const prop = groupPropagation(call, key, args.str(2));
  let attempts = count * 10;
  const claimed: (() => void)[] = [];
  const deleted: StreamID[] = [];
  const pel = g.pel;
  let i = pel.lowerBound(start);
  while (attempts-- > 0 && count && i < pel.size) {
    const id = pel.ids[i]!;
    const nack = pel.vals[i]!;
    const entry = s.get(id);
    if (!entry) {
      if (prop) propagateXclaim(prop, g, id, nack);
      server.dirty++;
      pel.delete(id);
      nack.consumer.pel.delete(id);
      deleted.push(id);
      count--;
      continue;
    }
    i++;
    if (minIdle && now - nack.deliveryTime < minIdle) continue;
    if (nack.consumer !== consumer) nack.consumer.pel.delete(id);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    if (nack.consumer !== consumer) {
      consumer.pel.set(id, nack);
      nack.consumer = consumer;
    }
    claimed.push(justId ? () => reply.bulkStr(formatId(id)) : () => replyEntry(reply, entry));
    count--;
    consumer.activeTime = now;
    if (prop) propagateXclaim(prop, g, id, nack);
    server.dirty++;
  }
  reply.array(3);
  reply.bulkStr(i < pel.size ? formatId(pel.ids[i]!) : '0-0');
  reply.array(claimed.length);
  for (const f of claimed) f();
  reply.array(deleted.length);
  for (const id of deleted) reply.bulkStr(formatId(id));
}

const W = ['write', 'stream', 'slow'];
const key2 = (flags: string[]) => ({ firstKey: 2, lastKey: 2, step: 1, keySpecs: [{ flags, begin: 2, lastKey: 0, step: 1 }] });
const key1 = (flags: string[]) => ({ firstKey: 1, lastKey: 1, step: 1, keySpecs: [{ flags, begin: 1, lastKey: 0, step: 1 }] });

export const streamGroupCommands: CommandDef[] = [
  {
    name: 'xgroup', arity: -2, flags: 0, acl: ['slow'], group: 'stream', since: '5.0.0',
    summary: 'A container for consumer groups commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'create', arity: -5, flags: F.Write | F.DenyOom, acl: W, group: 'stream', since: '5.0.0',
        summary: 'Creates a consumer group.', complexity: 'O(1)', ...key2(['RW', 'insert']), handler: xgroup,
      },
      {
        name: 'createconsumer', arity: 5, flags: F.Write | F.DenyOom, acl: W, group: 'stream', since: '6.2.0',
        summary: 'Creates a consumer in a consumer group.', complexity: 'O(1)', ...key2(['RW', 'insert']), handler: xgroup,
      },
      {
        name: 'delconsumer', arity: 5, flags: F.Write, acl: W, group: 'stream', since: '5.0.0',
        summary: 'Deletes a consumer from a consumer group.', complexity: 'O(1)', ...key2(['RW', 'delete']), handler: xgroup,
      },
      {
        name: 'destroy', arity: 4, flags: F.Write, acl: W, group: 'stream', since: '5.0.0',
        summary: 'Destroys a consumer group.', complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        ...key2(['RW', 'delete']), handler: xgroup,
      },
      {
        name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['stream', 'slow'], group: 'stream', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, XGROUP_HELP),
      },
      {
        name: 'setid', arity: -5, flags: F.Write, acl: W, group: 'stream', since: '5.0.0',
        summary: 'Sets the last-delivered ID of a consumer group.', complexity: 'O(1)', ...key2(['RW', 'update']), handler: xgroup,
      },
    ],
  },
  {
    name: 'xack', arity: -4, flags: F.Write | F.Fast, acl: ['write', 'stream', 'fast'], group: 'stream', since: '5.0.0',
    summary: 'Returns the number of messages that were successfully acknowledged by the consumer group member of a stream.',
    complexity: 'O(1) for each message ID processed.', ...key1(['RW', 'update']), handler: xack,
  },
  {
    name: 'xpending', arity: -3, flags: F.Readonly, acl: ['read', 'stream', 'slow'], group: 'stream', since: '5.0.0',
    summary: "Returns the information and entries from a stream consumer group's pending entries list.",
    complexity: 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    ...key1(['RO', 'access']), tips: ['nondeterministic_output'], handler: xpending,
  },
  {
    name: 'xclaim', arity: -6, flags: F.Write | F.Fast, acl: ['write', 'stream', 'fast'], group: 'stream', since: '5.0.0',
    summary: 'Changes, or acquires, ownership of a message in a consumer group, as if the message was delivered a consumer group member.',
    complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.',
    ...key1(['RW', 'update']), tips: ['nondeterministic_output'], handler: xclaim,
  },
  {
    name: 'xautoclaim', arity: -6, flags: F.Write | F.Fast, acl: ['write', 'stream', 'fast'], group: 'stream', since: '6.2.0',
    summary: 'Changes, or acquires, ownership of messages in a consumer group, as if the messages were delivered to as consumer group member.',
    complexity: 'O(1) if COUNT is small.', ...key1(['RW', 'delete']), tips: ['nondeterministic_output'], handler: xautoclaim,
  },
];
