// HGETDEL, HGETEX and HSETEX (Redis 8.0, t_hash.c): read and delete fields, read fields and set
// or drop their deadlines, and set fields with a deadline under FNX/FXX. Field deadlines are
// hash-expire.ts's; a field whose deadline passed is deleted as these commands meet it, with one
// 'hexpired' for the command, and the key goes when its last field does.
import type { Arg } from './propagate.js';
import type { Db } from '../data/keyspace.js';
import { RedisHash } from '../data/hash.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { parseInteger } from '../util/numbers.js';
import { fieldsArg, lookup, parseDeadline } from './hash-expire.js';
import { notifyKeyspaceEvent } from './notify.js';

const F = CmdFlag;

/** hashTypeGetValue with HFE_LAZY_NO_NOTIFICATION | AVOID_HASH_DEL: the value, or why there is none. */
function getLazy(call: CommandCall, db: Db, h: RedisHash, field: string): string | 'missing' | 'expired' {
  const v = h.get(field);
  if (v === undefined) return 'missing';
  if (!h.isExpired(field, call.now) || call.server.keyspace.masterRunning) return v;
  if (!call.server.keyspace.expiryPaused) {
    db.willChange(call.args.str(1));
    h.delete(field);
    db.expiredSubkeys++;
    call.server.keyspace.expiredField?.(db.id, call.args.str(1), field);
  }
  return 'expired';
}

/** After the command: the key goes (with 'del') when the hash was left empty. */
function dropIfEmpty(call: CommandCall, db: Db, key: string, h: RedisHash): void {
  if (h.size !== 0) return;
  db.delete(key, call.now);
  notifyKeyspaceEvent(call.server, 'g', 'del', key, db.id);
}

/** HGETDEL key FIELDS numfields field [field ...] */
function hgetdel(call: CommandCall): void {
  const { args, reply, server } = call;
  const db = server.keyspace.dbs[call.client.db]!;
  const key = args.str(1);
  const h = lookup(call, db, key, false);
  if (h === null) return;
  const n = fieldsArg(call, 2, 'Number of fields must be a positive integer');
  if (n === null) return;
  reply.array(n);
  let deleted = 0;
  let expired = 0;
  for (let i = 4; i < args.count; i++) {
    const r = h === undefined ? 'missing' : getLazy(call, db, h, args.str(i));
    if (r === 'missing' || r === 'expired') {
      reply.nullBulk();
      if (r === 'expired') expired++;
      continue;
    }
    reply.bulkStr(r);
    h!.delete(args.str(i));
    deleted++;
  }
  if (!h || (expired === 0 && deleted === 0)) return;
  db.touch(key);
  if (expired) notifyKeyspaceEvent(server, 'h', 'hexpired', key, db.id);
  if (deleted) {
    notifyKeyspaceEvent(server, 'h', 'hdel', key, db.id);
    server.dirty += deleted;
    // Propagated as HDEL key field...
    if (server.propagation.active) call.propagateAs = ['HDEL', args.buf(1), ...argsFrom(call, 4)];
  }
  dropIfEmpty(call, db, key, h);
}

/** Arguments `from` onwards, for a propagated form. */
function argsFrom(call: CommandCall, from: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = from; i < call.args.count; i++) out.push(call.args.buf(i));
  return out;
}

const enum Opt {
  None = 0,
  EX = 1,
  PX = 2,
  EXAT = 4,
  PXAT = 8,
  PERSIST = 16,
  KEEPTTL = 32,
  FXX = 64,
  FNX = 128,
}
const TIMED = Opt.EX | Opt.PX | Opt.EXAT | Opt.PXAT;

/** HGETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST] FIELDS numfields field [field ...] */
function hgetex(call: CommandCall): void {
  const { args, reply, server, now } = call;
  const db = server.keyspace.dbs[call.client.db]!;
  const key = args.str(1);
  const h = lookup(call, db, key, false);
  if (h === null) return;
  const o = args.lower(2);
  const cond = o === 'ex' ? Opt.EX : o === 'px' ? Opt.PX : o === 'exat' ? Opt.EXAT : o === 'pxat' ? Opt.PXAT : o === 'persist' ? Opt.PERSIST : Opt.None;
  let at = 3;
  let when = 0;
  if (cond & TIMED) {
    at += 2;
    const seconds = (cond & (Opt.EX | Opt.EXAT)) !== 0;
    const d = parseDeadline(call, 3, cond & (Opt.EX | Opt.PX) ? now : 0, seconds);
    if (d === null) return;
    when = d;
  } else if (cond === Opt.PERSIST) at += 1;
  const n = fieldsArg(call, at - 1, 'Number of fields must be a positive integer');
  if (n === null) return;
  if (h === undefined) {
    reply.array(n);
    for (let i = 0; i < n; i++) reply.nullBulk();
    return;
  }
  const ttls = cond ? h.enableTtls() : null;
  let expired = 0;
  let deleted = 0;
  let updated = 0;
  reply.array(n);
  for (let i = at + 1; i < args.count; i++) {
    const field = args.str(i);
    const r = getLazy(call, db, h, field);
    if (r === 'missing' || r === 'expired') {
      reply.nullBulk();
      if (r === 'expired') expired++;
      continue;
    }
    reply.bulkStr(r);
    if (!ttls) continue;
    if (cond === Opt.PERSIST) {
      // A field without a deadline: nothing to persist (HSETEX_NO_CONDITION_MET).
      if (ttls.persist(field)) updated++;
    } else if (when <= now) {
      server.keyspace.expiredField?.(db.id, key, field);
      h.delete(field);
      db.expiredSubkeys++;
      deleted++;
    } else {
      ttls.set(field, when);
      updated++;
    }
  }
  if (expired === 0 && deleted === 0 && updated === 0) return;
  // Never propagated as sent: as HPERSIST, as HPEXPIREAT, or (a past deadline) by its HDELs.
  if (server.propagation.active) {
    if (updated && cond === Opt.PERSIST) call.propagateAs = ['HPERSIST', args.buf(1), ...argsFrom(call, 3)];
    else if (updated) call.propagateAs = ['HPEXPIREAT', args.buf(1), cond === Opt.PXAT ? args.buf(3) : String(when), ...argsFrom(call, 4)];
    else if (deleted) call.preventPropagation = true;
  }
  server.dirty += deleted + updated;
  db.touch(key);
  if (expired) notifyKeyspaceEvent(server, 'h', 'hexpired', key, db.id);
  if (updated) notifyKeyspaceEvent(server, 'h', cond === Opt.PERSIST ? 'hpersist' : 'hexpire', key, db.id);
  else if (deleted) notifyKeyspaceEvent(server, 'h', 'hdel', key, db.id);
  if (ttls && ttls.size > 0 && h.size > 0) db.registerFieldTtls(key, h);
  dropIfEmpty(call, db, key, h);
}

/** hsetexParseArgs: the options, the deadline and where the fields start; null after the error. */
function hsetexArgs(call: CommandCall): { flags: number; when: number; first: number; count: number } | null {
  const { args, reply, now } = call;
  let flags = 0;
  let when = 0;
  const expiration = (): boolean => {
    if (flags & (TIMED | Opt.KEEPTTL)) {
      reply.error('Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified');
      return false;
    }
    return true;
  };
  for (let i = 2; i < args.count; i++) {
    const o = args.lower(i);
    if (o === 'fields') {
      if (i >= args.count - 3) {
        reply.error("wrong number of arguments for 'hsetex' command");
        return null;
      }
      const v = parseInteger(args.str(i + 1));
      if (v === null || v < 1 || v > 2147483647) {
        reply.error('invalid number of fields');
        return null;
      }
      const remaining = args.count - i - 2;
      if (remaining % 2 !== 0 || Number(v) !== remaining / 2) {
        reply.error("wrong number of arguments for 'hsetex' command");
        return null;
      }
      return { flags, when, first: i + 2, count: Number(v) };
    }
    const timed = o === 'ex' ? Opt.EX : o === 'px' ? Opt.PX : o === 'exat' ? Opt.EXAT : o === 'pxat' ? Opt.PXAT : Opt.None;
    if (timed) {
      if (!expiration()) return null;
      if (i >= args.count - 1) {
        reply.error('missing expire time');
        return null;
      }
      flags |= timed;
      const seconds = (timed & (Opt.EX | Opt.EXAT)) !== 0;
      const d = parseDeadline(call, ++i, timed & (Opt.EX | Opt.PX) ? now : 0, seconds);
      if (d === null) return null;
      when = d;
    } else if (o === 'keepttl') {
      if (!expiration()) return null;
      flags |= Opt.KEEPTTL;
    } else if (o === 'fxx' || o === 'fnx') {
      if (flags & (Opt.FXX | Opt.FNX)) {
        reply.error('Only one of FXX or FNX arguments can be specified');
        return null;
      }
      flags |= o === 'fxx' ? Opt.FXX : Opt.FNX;
    } else {
      reply.error(`unknown argument: ${args.str(i)}`);
      return null;
    }
  }
  // Arity -6 leaves at least one argument after the options: never reached without FIELDS.
  reply.error("wrong number of arguments for 'hsetex' command");
  return null;
}

/** HSETEX key [FNX | FXX] [EX s | PX ms | EXAT t | PXAT t | KEEPTTL] FIELDS numfields field value [...] */
/** A past deadline propagates its HDELs only; EX/PX/EXAT become PXAT with the deadline. */
function propagateHsetex(call: CommandCall, flags: number, when: number, deleted: number): void {
  if (deleted) {
    call.preventPropagation = true;
    return;
  }
  if (!(flags & TIMED) || flags & Opt.PXAT) return;
  const { args } = call;
  const argv: Arg[] = argsFrom(call, 0);
  for (let i = 2; i < args.count - 1; i++) {
    if (args.is(i, 'ex') || args.is(i, 'px') || args.is(i, 'exat')) {
      argv[i] = 'PXAT';
      argv[i + 1] = String(when);
      break;
    }
    if (args.is(i, 'fields')) break;
  }
  call.propagateAs = argv;
}

function hsetex(call: CommandCall): void {
  const { args, reply, server, now } = call;
  const p = hsetexArgs(call);
  if (!p) return;
  const db = server.keyspace.dbs[call.client.db]!;
  const key = args.str(1);
  const found = lookup(call, db, key, false);
  if (found === null) return;
  if (found === undefined && p.flags & Opt.FXX) {
    reply.integer(0);
    return;
  }
  const h = found ?? new RedisHash();
  if (!found) db.set(key, h);
  let expired = 0;
  let fieldsSet = false;
  let updated = 0;
  let deleted = 0;
  let ok = true;
  if (p.flags & (Opt.FXX | Opt.FNX)) {
    let present = 0;
    for (let k = 0; k < p.count; k++) {
      const r = getLazy(call, db, h, args.str(p.first + 2 * k));
      const exists = r !== 'missing' && r !== 'expired';
      if (r === 'expired') expired++;
      if (exists) present++;
      if ((p.flags & Opt.FXX && !exists) || (p.flags & Opt.FNX && exists)) break;
    }
    if ((p.flags & Opt.FNX && present !== 0) || (p.flags & Opt.FXX && present !== p.count)) {
      reply.integer(0);
      ok = false;
    }
  }
  if (ok) {
    h.sizeHint(h.size + p.count);
    const timed = (p.flags & TIMED) !== 0;
    const ttls = timed ? h.enableTtls() : null;
    for (let k = 0; k < p.count; k++) {
      const field = args.str(p.first + 2 * k);
      h.set(field, args.str(p.first + 2 * k + 1), (p.flags & (TIMED | Opt.KEEPTTL)) !== 0);
      fieldsSet = true;
      if (!ttls) continue;
      if (p.when <= now) {
        server.keyspace.expiredField?.(db.id, key, field);
        h.delete(field);
        db.expiredSubkeys++;
        deleted++;
      } else {
        ttls.set(field, p.when);
        updated++;
      }
    }
    server.dirty += p.count;
    reply.integer(1);
    if (server.propagation.active) propagateHsetex(call, p.flags, p.when, deleted);
  }
  if (fieldsSet || expired) {
    db.touch(key);
    if (expired) notifyKeyspaceEvent(server, 'h', 'hexpired', key, db.id);
    if (fieldsSet) {
      notifyKeyspaceEvent(server, 'h', 'hset', key, db.id);
      if (deleted || updated) notifyKeyspaceEvent(server, 'h', deleted ? 'hdel' : 'hexpire', key, db.id);
    }
  }
  if (h.ttls && h.ttls.size > 0 && h.size > 0) db.registerFieldTtls(key, h);
  dropIfEmpty(call, db, key, h);
}

const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const spec = (flags: string[], notes?: string) => [{ flags, ...(notes ? { notes } : {}), begin: 1, lastKey: 0, step: 1 }];
const HASH_W = ['write', 'hash', 'fast'];

export const hashGetExCommands: CommandDef[] = [
  {
    name: 'hgetdel', arity: -5, flags: F.Write | F.Fast, acl: HASH_W, group: 'hash', since: '8.0.0',
    summary: 'Returns the value of a field and deletes it from the hash.', complexity: 'O(N) where N is the number of specified fields',
    ...key1, keySpecs: spec(['RW', 'access', 'delete']), handler: hgetdel,
  },
  {
    name: 'hgetex', arity: -5, flags: F.Write | F.Fast, acl: HASH_W, group: 'hash', since: '8.0.0',
    summary: 'Get the value of one or more fields of a given hash key, and optionally set their expiration.',
    complexity: 'O(N) where N is the number of specified fields',
    ...key1, keySpecs: spec(['RW', 'access', 'update'], 'RW and UPDATE because it changes the TTL'), handler: hgetex,
  },
  {
    name: 'hsetex', arity: -6, flags: F.Write | F.DenyOom | F.Fast, acl: HASH_W, group: 'hash', since: '8.0.0',
    summary: 'Set the value of one or more fields of a given hash key, and optionally set their expiration.',
    complexity: 'O(N) where N is the number of fields being set.',
    ...key1, keySpecs: spec(['RW', 'update']), handler: hsetex,
  },
];
