// XINFO STREAM [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS (t_stream.c xinfoCommand): a
// stream's counters, first and last entries, its groups with their lag, and their consumers.
import type { RedisStream } from '../data/stream.js';
import { ENTRIES_READ_INVALID, type StreamGroup } from '../data/stream-group.js';
import { formatId, ID_MAX, ID_ZERO } from '../data/stream-id.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { replyHelp } from './help.js';
import { estimateDistance, hasTombstonesFrom } from './stream-read.js';
import { longLongArg, lookupStream, replyEntries, replyEntry } from './streams.js';

const F = CmdFlag;

function subcommandError(call: CommandCall): void {
  call.reply.error(`unknown subcommand or wrong number of arguments for '${call.args.str(1).slice(0, 128)}'. Try XINFO HELP.`);
}

/** streamReplyWithCGLag: entries not yet delivered to the group, null when it can't be known. */
function replyLag(r: ReplyWriter, s: RedisStream, g: StreamGroup): void {
  if (!s.entriesAdded) {
    r.integer(0);
    return;
  }
  if (g.entriesRead !== ENTRIES_READ_INVALID && !hasTombstonesFrom(s, g.lastId)) {
    r.integer(s.entriesAdded - g.entriesRead);
    return;
  }
  const read = estimateDistance(s, g.lastId);
  if (read !== ENTRIES_READ_INVALID) r.integer(s.entriesAdded - read);
  else r.nullBulk();
}

function replyEntriesRead(r: ReplyWriter, g: StreamGroup): void {
  if (g.entriesRead !== ENTRIES_READ_INVALID) r.integer(g.entriesRead);
  else r.nullBulk();
}

function sortedGroups(s: RedisStream): [string, StreamGroup][] {
  return [...(s.groups ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * rax->numnodes for the nodes' keys (the master IDs as 16 big-endian bytes): Redis's radix tree
 * compresses single-child runs into one node, so a tree is its root, every branching point, every
 * child of a branching point, and a leaf per key. Counted for the canonical tree of the keys.
 */
function raxNodes(s: RedisStream): number {
  if (s.nodes.length === 0) return 1;
  const keys = s.nodes.map((n) => {
    const b = Buffer.alloc(16);
    b.writeBigUInt64BE(n.master.ms, 0);
    b.writeBigUInt64BE(n.master.seq, 8);
    return b;
  });
  const count = (lo: number, hi: number, depth: number, start: boolean): number => {
    if (depth === 16) return 1;
    let n = 0;
    let groups = 0;
    for (let i = lo; i < hi; ) {
      let j = i + 1;
      while (j < hi && keys[j]![depth] === keys[i]![depth]) j++;
      groups++;
      i = j;
    }
    const branching = groups >= 2;
    if (branching || start) n++;
    for (let i = lo; i < hi; ) {
      let j = i + 1;
      while (j < hi && keys[j]![depth] === keys[i]![depth]) j++;
      n += count(i, j, depth + 1, branching);
      i = j;
    }
    return n;
  };
  return count(0, keys.length, 0, true);
}

function xinfoStream(call: CommandCall, s: RedisStream): void {
  const { args, reply } = call;
  const optc = args.count - 3;
  let full = false;
  let count = 10;
  if (optc !== 0) {
    if ((optc !== 1 && optc !== 3) || !args.is(3, 'full')) {
      subcommandError(call);
      return;
    }
    full = true;
    if (optc === 3) {
      if (!args.is(4, 'count')) {
        subcommandError(call);
        return;
      }
      const n = longLongArg(call, 5);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
  }
  reply.map(full ? 9 : 10);
  reply.bulkStr('length');
  reply.integer(s.length);
  reply.bulkStr('radix-tree-keys');
  reply.integer(s.nodes.length);
  reply.bulkStr('radix-tree-nodes');
  reply.integer(raxNodes(s));
  reply.bulkStr('last-generated-id');
  reply.bulkStr(formatId(s.lastId));
  reply.bulkStr('max-deleted-entry-id');
  reply.bulkStr(formatId(s.maxDeletedId));
  reply.bulkStr('entries-added');
  reply.integer(s.entriesAdded);
  reply.bulkStr('recorded-first-entry-id');
  reply.bulkStr(formatId(s.firstId));
  if (!full) {
    reply.bulkStr('groups');
    reply.integer(s.groups?.size ?? 0);
    reply.bulkStr('first-entry');
    const first = s.entries(ID_ZERO, ID_MAX, false, 1)[0];
    if (first) replyEntry(reply, first);
    else reply.nullBulk();
    reply.bulkStr('last-entry');
    const last = s.entries(ID_ZERO, ID_MAX, true, 1)[0];
    if (last) replyEntry(reply, last);
    else reply.nullBulk();
    return;
  }
  reply.bulkStr('entries');
  replyEntries(reply, s.entries(ID_ZERO, ID_MAX, false, count));
  reply.bulkStr('groups');
  const groups = sortedGroups(s);
  reply.array(groups.length);
  for (const [name, g] of groups) {
    reply.map(7);
    reply.bulkStr('name');
    reply.bulkStr(name);
    reply.bulkStr('last-delivered-id');
    reply.bulkStr(formatId(g.lastId));
    reply.bulkStr('entries-read');
    replyEntriesRead(reply, g);
    reply.bulkStr('lag');
    replyLag(reply, s, g);
    reply.bulkStr('pel-count');
    reply.integer(g.pel.size);
    reply.bulkStr('pending');
    const n = count ? Math.min(count, g.pel.size) : g.pel.size;
    reply.array(n);
    for (let i = 0; i < n; i++) {
      const nack = g.pel.vals[i]!;
      reply.array(4);
      reply.bulkStr(formatId(g.pel.ids[i]!));
      reply.bulkStr(nack.consumer.name);
      reply.integer(nack.deliveryTime);
      reply.integer(nack.deliveryCount);
    }
    reply.bulkStr('consumers');
    const consumers = g.sortedConsumers();
    reply.array(consumers.length);
    for (const c of consumers) {
      reply.map(5);
      reply.bulkStr('name');
      reply.bulkStr(c.name);
      reply.bulkStr('seen-time');
      reply.integer(c.seenTime);
      reply.bulkStr('active-time');
      reply.integer(c.activeTime);
      reply.bulkStr('pel-count');
      reply.integer(c.pel.size);
      reply.bulkStr('pending');
      const m = count ? Math.min(count, c.pel.size) : c.pel.size;
      reply.array(m);
      for (let i = 0; i < m; i++) {
        const nack = c.pel.vals[i]!;
        reply.array(3);
        reply.bulkStr(formatId(c.pel.ids[i]!));
        reply.integer(nack.deliveryTime);
        reply.integer(nack.deliveryCount);
      }
    }
  }
}

function xinfo(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const opt = args.lower(1);
  const key = args.str(2);
  const s = lookupStream(call, server.keyspace.dbs[client.db]!, key, true);
  if (s === null) return;
  if (s === undefined) {
    reply.error('no such key');
    return;
  }
  if (opt === 'consumers') {
    const name = args.str(3);
    const g = s.groups?.get(name);
    if (!g) {
      reply.error(`-NOGROUP No such consumer group '${name}' for key name '${key}'`);
      return;
    }
    const consumers = g.sortedConsumers();
    reply.array(consumers.length);
    for (const c of consumers) {
      reply.map(4);
      reply.bulkStr('name');
      reply.bulkStr(c.name);
      reply.bulkStr('pending');
      reply.integer(c.pel.size);
      reply.bulkStr('idle');
      reply.integer(Math.max(0, now - c.seenTime));
      reply.bulkStr('inactive');
      reply.integer(c.activeTime !== -1 ? now - c.activeTime : -1);
    }
  } else if (opt === 'groups') {
    const groups = sortedGroups(s);
    reply.array(groups.length);
    for (const [name, g] of groups) {
      reply.map(6);
      reply.bulkStr('name');
      reply.bulkStr(name);
      reply.bulkStr('consumers');
      reply.integer(g.consumers.size);
      reply.bulkStr('pending');
      reply.integer(g.pel.size);
      reply.bulkStr('last-delivered-id');
      reply.bulkStr(formatId(g.lastId));
      reply.bulkStr('entries-read');
      replyEntriesRead(reply, g);
      reply.bulkStr('lag');
      replyLag(reply, s, g);
    }
  } else if (opt === 'stream') xinfoStream(call, s);
  else subcommandError(call);
}

const HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Print this help.',
];

const R = ['read', 'stream', 'slow'];
const key2 = { firstKey: 2, lastKey: 2, step: 1, keySpecs: [{ flags: ['RO', 'access'], begin: 2, lastKey: 0, step: 1 }] };

export const streamInfoCommands: CommandDef[] = [
  {
    name: 'xinfo', arity: -2, flags: 0, acl: ['slow'], group: 'stream', since: '5.0.0',
    summary: 'A container for stream introspection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'consumers', arity: 4, flags: F.Readonly, acl: R, group: 'stream', since: '5.0.0',
        summary: 'Returns a list of the consumers in a consumer group.', complexity: 'O(1)', ...key2,
        tips: ['nondeterministic_output'], handler: xinfo,
      },
      {
        name: 'groups', arity: 3, flags: F.Readonly, acl: R, group: 'stream', since: '5.0.0',
        summary: 'Returns a list of the consumer groups of a stream.', complexity: 'O(1)', ...key2, handler: xinfo,
      },
      {
        name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['stream', 'slow'], group: 'stream', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, HELP),
      },
      {
        name: 'stream', arity: -3, flags: F.Readonly, acl: R, group: 'stream', since: '5.0.0',
        summary: 'Returns information about a stream.', complexity: 'O(1)', ...key2, handler: xinfo,
      },
    ],
  },
];
