// XREAD and XREADGROUP (t_stream.c xreadCommand): read entries after given IDs from several
// streams, as a consumer group member when GROUP is given (new entries with `>` go into the
// group's and the consumer's pending lists; other IDs read the consumer's own history), and
// block with BLOCK until an entry arrives. A blocked reader runs its command again when a stream
// it waits on gets an entry; `$` is first replaced by the ID it stood for, as Redis does.
import { groupPropagation, propagateConsumerCreation, propagateGroupId, propagateXclaim, type GroupPropagation } from './stream-propagate.js';
import { ClientFlag } from '../clients/flags.js';
import { Args } from '../engine/args.js';
import { RedisStream, type StreamEntry } from '../data/stream.js';
import { ENTRIES_READ_INVALID, type StreamConsumer, type StreamGroup } from '../data/stream-group.js';
import { cmpId, formatId, ID_MAX, incrId, isZeroId, parseId, type StreamID, ERR_INVALID_ID } from '../data/stream-id.js';
import type { ReplyWriter } from '../protocol/reply.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX, ERR_WRONGTYPE } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { consumerFor } from './stream-groups.js';
import { longLongArg, replyEntry } from './streams.js';

const F = CmdFlag;
const LLONG_MAX = 9223372036854775807n;

/** getTimeoutFromObjectOrReply with UNIT_MILLISECONDS: an absolute deadline (0: forever), or an error text. */
function blockMs(arg: string, now: number): number | string {
  const v = parseInteger(arg);
  if (v === null) return 'timeout is not an integer or out of range';
  const b = BigInt(v);
  if (b < 0n) return 'timeout is negative';
  if (b === 0n) return 0;
  if (b > LLONG_MAX - BigInt(now)) return 'timeout is out of range';
  return now + Number(b);
}

/** streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or -1. */
export function estimateDistance(s: RedisStream, id: StreamID): number {
  if (!s.entriesAdded) return 0;
  if (!s.length && cmpId(id, s.lastId) < 1) return s.entriesAdded;
  const cmpLast = cmpId(id, s.lastId);
  if (cmpLast === 0) return s.entriesAdded;
  if (cmpLast > 0) return ENTRIES_READ_INVALID;
  const cmpFirst = cmpId(id, s.firstId);
  if (isZeroId(s.maxDeletedId) || cmpId(s.maxDeletedId, s.firstId) < 0) {
    if (cmpFirst < 0) return s.entriesAdded - s.length;
    if (cmpFirst === 0) return s.entriesAdded - s.length + 1;
  }
  return ENTRIES_READ_INVALID;
}

/** streamRangeHasTombstones between `start` and the end of the stream. */
export function hasTombstonesFrom(s: RedisStream, start: StreamID): boolean {
  if (!s.length || isZeroId(s.maxDeletedId)) return false;
  if (cmpId(s.firstId, s.maxDeletedId) > 0) return false;
  return cmpId(start, s.maxDeletedId) <= 0;
}

/**
 * streamReplyWithRange with a group: entries after the group's position are delivered to
 * `consumer` (PEL entries created unless `noack`), moving the group's last ID and read counter.
 */
function deliverNew(
  r: ReplyWriter, s: RedisStream, start: StreamID, count: number, g: StreamGroup, consumer: StreamConsumer, noack: boolean, now: number,
  prop: GroupPropagation | null,
): void {
  const entries = s.entries(start, ID_MAX, false, count);
  r.array(entries.length);
  let propagateLastId = false;
  for (const e of entries) {
    if (cmpId(e.id, g.lastId) > 0) {
      if (g.entriesRead !== ENTRIES_READ_INVALID && !hasTombstonesFrom(s, e.id)) g.entriesRead++;
      else if (s.entriesAdded) g.entriesRead = estimateDistance(s, e.id);
      g.lastId = e.id;
      // Without NOACK the XCLAIMs carry the last ID; with it, XGROUP SETID does.
      if (noack) propagateLastId = true;
    }
    replyEntry(r, e);
    if (noack) continue;
    let nack = g.pel.get(e.id);
    if (nack) {
      nack.consumer.pel.delete(e.id);
      nack.consumer = consumer;
      nack.deliveryTime = now;
      nack.deliveryCount = 1;
      consumer.pel.set(e.id, nack);
    } else {
      nack = { deliveryTime: now, deliveryCount: 1, consumer };
      g.pel.set(e.id, nack);
      consumer.pel.set(e.id, nack);
    }
    consumer.activeTime = now;
    if (prop) propagateXclaim(prop, g, e.id, nack);
  }
  if (prop && propagateLastId) propagateGroupId(prop, g);
}

/** streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries from `start`. */
function deliverHistory(r: ReplyWriter, s: RedisStream, start: StreamID, count: number, consumer: StreamConsumer, now: number): void {
  const pel = consumer.pel;
  const out: { id: StreamID; entry: StreamEntry | undefined }[] = [];
  for (let i = pel.lowerBound(start); i < pel.size && (!count || out.length < count); i++) {
    const id = pel.ids[i]!;
    const entry = s.get(id);
    if (entry) {
      const nack = pel.vals[i]!;
      nack.deliveryTime = now;
      nack.deliveryCount++;
    }
    out.push({ id, entry });
  }
  r.array(out.length);
  for (const o of out) {
    if (o.entry) replyEntry(r, o.entry);
    else {
      r.array(2);
      r.bulkStr(formatId(o.id));
      r.nullArray();
    }
  }
}

/** XREAD [COUNT n] [BLOCK ms] STREAMS key... id... and XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id... */
function xread(call: CommandCall, group: boolean): void {
  const { args, reply, client, server, now } = call;
  const cmdName = group ? 'xreadgroup' : 'xread';
  let deadline = -1;
  let count = 0;
  let streamsAt = 0;
  let nstreams = 0;
  let groupName: string | undefined;
  let consumerName = '';
  let noack = false;
  for (let i = 1; i < args.count; i++) {
    const more = args.count - i - 1;
    const o = args.lower(i);
    if (o === 'block' && more) {
      if (client.connType === 'lua') {
        reply.error(`${args.str(0)} command is not allowed with BLOCK option from scripts`);
        return;
      }
      const d = blockMs(args.str(++i), now);
      if (typeof d === 'string') {
        reply.error(d);
        return;
      }
      deadline = d;
    } else if (o === 'count' && more) {
      const n = longLongArg(call, ++i);
      if (n === null) return;
      count = Math.max(0, n);
    } else if (o === 'streams' && more) {
      streamsAt = i + 1;
      nstreams = args.count - streamsAt;
      if (nstreams % 2 !== 0) {
        const symbol = group ? '>' : '$';
        reply.error(`Unbalanced '${cmdName}' list of streams: for each stream key an ID or '${symbol}' must be specified.`);
        return;
      }
      nstreams /= 2;
      break;
    } else if (o === 'group' && more >= 2) {
      if (!group) {
        reply.error('The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      groupName = args.str(i + 1);
      consumerName = args.str(i + 2);
      i += 2;
    } else if (o === 'noack') {
      if (!group) {
        reply.error('The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      noack = true;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if (streamsAt === 0) {
    reply.error(ERR_SYNTAX);
    return;
  }
  if (group && groupName === undefined) {
    reply.error('Missing GROUP option for XREADGROUP');
    return;
  }
  const db = server.keyspace.dbs[client.db]!;
  const ids: StreamID[] = [];
  const groups: StreamGroup[] = [];
  const dollar: boolean[] = [];
  for (let k = 0; k < nstreams; k++) {
    const key = args.str(streamsAt + k);
    const idArg = args.str(streamsAt + nstreams + k);
    const v = db.lookup(key, now, 2 /* Lookup.Read */);
    if (v !== undefined && !(v instanceof RedisStream)) {
      reply.error(ERR_WRONGTYPE);
      return;
    }
    if (groupName !== undefined) {
      const g = v?.groups?.get(groupName);
      if (!g) {
        reply.error(`-NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
        return;
      }
      groups.push(g);
    }
    dollar.push(false);
    if (idArg === '$') {
      if (group) {
        reply.error('The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
        return;
      }
      ids.push(v ? v.lastId : { ms: 0n, seq: 0n });
      dollar[k] = true;
      continue;
    }
    if (idArg === '>') {
      if (!group) {
        reply.error('The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return;
      }
      ids.push(ID_MAX);
      continue;
    }
    const p = parseId(idArg, 0n, true);
    if (!p) {
      reply.error(ERR_INVALID_ID);
      return;
    }
    ids.push(p.id);
  }

  // Serve at once what can be served.
  interface Served { key: string; s: RedisStream; start: StreamID; g?: StreamGroup; consumer?: StreamConsumer; history: boolean }
  const served: Served[] = [];
  for (let k = 0; k < nstreams; k++) {
    const key = args.str(streamsAt + k);
    const v = db.lookup(key, now, 2);
    if (!(v instanceof RedisStream)) continue;
    let gt = ids[k]!;
    let serve = false;
    let history = false;
    let consumer: StreamConsumer | undefined;
    const g = groups[k];
    if (g) {
      if (cmpId(gt, ID_MAX) !== 0) {
        serve = true;
        history = true;
      } else if (v.length) {
        const maxid = v.lastValidId();
        if (cmpId(maxid, g.lastId) > 0) {
          serve = true;
          gt = g.lastId;
        }
      }
      const created = !g.consumer(consumerName);
      consumer = consumerFor(call, g, consumerName, key);
      consumer.seenTime = now;
      // Without NOACK the XCLAIMs create the consumer on a replica; with it, this does.
      if (created && noack && server.propagation.active) propagateConsumerCreation({ call, key, group: groupName! }, consumerName);
    } else if (v.length && cmpId(v.lastValidId(), gt) > 0) serve = true;
    if (!serve) continue;
    // The range starts after `gt`; past the last possible ID nothing can follow.
    const start = incrId(gt) ?? ID_MAX;
    served.push({ key, s: v, start, g, consumer, history });
  }
  if (served.length) {
    if (client.resp === 3) reply.map(served.length);
    else reply.array(served.length);
    for (const sv of served) {
      if (client.resp !== 3) reply.array(2);
      reply.bulkStr(sv.key);
      if (sv.g && sv.consumer) {
        if (sv.history) deliverHistory(reply, sv.s, sv.start, count, sv.consumer, now);
        else deliverNew(reply, sv.s, sv.start, count, sv.g, sv.consumer, noack, now, groupPropagation(call, sv.key, groupName!));
        server.dirty++;
      } else {
        const entries = sv.s.entries(sv.start, ID_MAX, false, count);
        reply.array(entries.length);
        for (const e of entries) replyEntry(reply, e);
      }
    }
    return;
  }
  if (deadline !== -1) {
    if (client.flags & (ClientFlag.Multi | ClientFlag.DenyBlocking)) {
      // MULTI or a script: no blocking, answered as a timeout.
      reply.nullArray();
      return;
    }
    const values: (Buffer | string)[] = [];
    for (let i = 0; i < args.count; i++) values.push(args.buf(i));
    for (let k = 0; k < nstreams; k++) if (dollar[k]) values[streamsAt + nstreams + k] = formatId(ids[k]!);
    const keys: string[] = [];
    for (let k = 0; k < nstreams; k++) keys.push(args.str(streamsAt + k));
    server.blocked.blockOnKeys(call, keys, deadline, (w) => w.nullArray(), {
      args: Args.of(values),
      wants: group ? () => true : (v) => v instanceof RedisStream,
      noKey: group,
    });
    return;
  }
  reply.nullArray();
}

export const streamReadCommands: CommandDef[] = [
  {
    name: 'xread', arity: -4, flags: F.Readonly | F.Blocking | F.MovableKeys, acl: ['read', 'stream', 'slow', 'blocking'], group: 'stream', since: '5.0.0',
    summary: 'Returns messages from multiple streams with IDs greater than the ones requested. Blocks until a message is available otherwise.',
    keySpecs: [{ flags: ['RO', 'access'], begin: 0, keyword: { keyword: 'STREAMS', startFrom: 1 }, lastKey: -1, step: 1, limit: 2 }],
    handler: (c) => xread(c, false),
  },
  {
    name: 'xreadgroup', arity: -7, flags: F.Write | F.Blocking | F.MovableKeys, acl: ['write', 'stream', 'slow', 'blocking'], group: 'stream', since: '5.0.0',
    summary: 'Returns new or historical messages from a stream for a consumer in a group. Blocks until a message is available otherwise.',
    complexity: 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
    keySpecs: [{ flags: ['RO', 'access'], begin: 0, keyword: { keyword: 'STREAMS', startFrom: 4 }, lastKey: -1, step: 1, limit: 2 }],
    handler: (c) => {
      xread(c, true);
      // Propagated as the XCLAIMs and XGROUP commands its reads made, never as itself.
      c.preventPropagation = true;
    },
  },
];
