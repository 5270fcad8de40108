// SPOP and SRANDMEMBER (t_set.c): random members, taken or only read.
import { lazyServerDel } from './propagate.js';
import { ClientFlag } from '../clients/flags.js';
import { RedisSet, SetStart } from '../data/set.js';
import { notifyKeyspaceEvent } from './notify.js';
import { type CommandCall } from '../table/table.js';
import { ERR_POSITIVE, ERR_SYNTAX } from '../util/errors.js';
import { clampCount, signedCountArg } from './args.js';
import { distinctSample } from './sample.js';
import { lookupSet, membersRemoved, positiveArg, replyMembers } from './set-util.js';

// ---- random members ---------------------------------------------------------------------------

/** SPOP key [count]. */
export function spop(call: CommandCall): void {
  const { args, reply, client, server } = call;
  if (args.count > 3) {
    reply.error(ERR_SYNTAX);
    return;
  }
  if (args.count === 3) {
    spopWithCount(call);
    return;
  }
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const s = lookupSet(call, db, key, false);
  if (s === null) return;
  if (s === undefined) {
    reply.nullBulk();
    return;
  }
  const m = s.pop();
  reply.bulkStr(m);
  membersRemoved(call, db, key, s, 'spop');
  server.dirty++;
  if (server.propagation.active) call.propagateAs = ['SREM', args.buf(1), m];
}

/** SPOP with a count is propagated as SREMs of up to 1024 members each, not as itself. */
function propagateSrems(call: CommandCall, popped: readonly string[]): void {
  const { server, args } = call;
  for (let i = 0; i < popped.length; i += 1024) server.propagation.also(call.client.db, ['SREM', args.buf(1), ...popped.slice(i, i + 1024)]);
  call.preventPropagation = true;
}

/**
 * SPOP key count, by Redis's three strategies: the whole set when count covers it; random pops
 * while few are taken; else the few that stay are moved to a new set that replaces the old one
 * (TTL kept), and what is left of the old one is the reply.
 */
function spopWithCount(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const count = positiveArg(call, 2, ERR_POSITIVE);
  if (count === null) return;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const s = lookupSet(call, db, key, false);
  if (s === null) return;
  if (s === undefined || count === 0) {
    reply.set(0);
    return;
  }
  const size = s.size;
  server.dirty += Math.min(count, size);
  if (count >= size) {
    // sunionDiffGenericCommand on the one set: the reply lists it as a new set would.
    const all = new RedisSet();
    for (const m of s.members(server.config)) all.add(m);
    replyMembers(call, all.members(server.config));
    db.delete(key, call.now);
    notifyKeyspaceEvent(server, 's', 'spop', key, client.db);
    notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
    if (server.propagation.active) call.propagateAs = [lazyServerDel(server), args.buf(1)];
    return;
  }
  const remaining = size - count;
  reply.set(count);
  const popped: string[] | undefined = server.propagation.active ? [] : undefined;
  if (remaining * 5 > count) {
    for (let i = 0; i < count; i++) {
      const m = s.pop();
      reply.bulkStr(m);
      popped?.push(m);
    }
    db.touch(key);
  } else {
    const kept = new RedisSet(s.encoding(server.config) === 'intset' ? SetStart.Intset : SetStart.Listpack);
    while (kept.size < remaining) kept.add(s.pop());
    for (const m of s.members(server.config)) {
      reply.bulkStr(m);
      popped?.push(m);
    }
    db.set(key, kept, true);
  }
  notifyKeyspaceEvent(server, 's', 'spop', key, client.db);
  if (popped) propagateSrems(call, popped);
}

/** SRANDMEMBER key [count]: a negative count may repeat members, a positive one does not. */
export function srandmember(call: CommandCall): void {
  const { args, reply, server } = call;
  if (args.count > 3) {
    reply.error(ERR_SYNTAX);
    return;
  }
  const db = server.keyspace.dbs[call.client.db];
  if (args.count === 2) {
    const s = lookupSet(call, db, args.str(1), true);
    if (s === null) return;
    if (s === undefined) reply.nullBulk();
    else reply.bulkStr(s.random());
    return;
  }
  const c = signedCountArg(call, 2);
  if (c === null) return;
  const l = clampCount(c);
  const s = lookupSet(call, db, args.str(1), true);
  if (s === null) return;
  if (s === undefined || l === 0) {
    reply.array(0);
    return;
  }
  const count = Math.abs(l);
  if (l < 0 || count === 1) {
    reply.array(count);
    for (let i = 0; i < count; i++) {
      reply.bulkStr(s.random());
      // As Redis: stop once the client is being closed (its output limit was reached).
      if (call.client.flags & ClientFlag.CloseAsap) break;
    }
    return;
  }
  if (count >= s.size) {
    const all = s.members(server.config);
    reply.array(all.length);
    for (const m of all) reply.bulkStr(m);
    return;
  }
  reply.array(count);
  const keys = function* (): IterableIterator<string> {
    for (const e of s.entries()) yield e.key;
  };
  for (const m of distinctSample(s.size, count, () => s.random(), keys())) reply.bulkStr(m);
}

