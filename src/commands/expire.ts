// Expiry commands (expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT, TTL, PTTL,
// EXPIRETIME, PEXPIRETIME, PERSIST. Deadlines are absolute ms compared with the batch clock; a
// deadline already in the past deletes the key at once (a 'del' event, as Redis propagates DEL).
// The sweeping of expired keys is activeExpireCycle in data/keyspace.ts.
import { lazyExpireDel, type Arg } from './propagate.js';
import { Lookup } from '../data/keyspace.js';
import { notifyKeyspaceEvent } from './notify.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_NOT_INTEGER } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { touchFlags } from './lookup.js';

const F = CmdFlag;

const enum ExpireFlag {
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
}

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/** Redis's parseExtendedExpireArgumentsOrReply: the NX/XX/GT/LT flags, or -1 after an error reply. */
function expireFlags(call: CommandCall): number {
  const { args, reply } = call;
  let flags = 0;
  for (let j = 3; j < args.count; j++) {
    const opt = args.lower(j);
    if (opt === 'nx') flags |= ExpireFlag.NX;
    else if (opt === 'xx') flags |= ExpireFlag.XX;
    else if (opt === 'gt') flags |= ExpireFlag.GT;
    else if (opt === 'lt') flags |= ExpireFlag.LT;
    else {
      reply.error(`Unsupported option ${args.str(j)}`);
      return -1;
    }
  }
  if (flags & ExpireFlag.NX && flags & (ExpireFlag.XX | ExpireFlag.GT | ExpireFlag.LT)) {
    reply.error('NX and XX, GT or LT options at the same time are not compatible');
    return -1;
  }
  if (flags & ExpireFlag.GT && flags & ExpireFlag.LT) {
    reply.error('GT and LT options at the same time are not compatible');
    return -1;
  }
  return flags;
}

/**
 * The deadline in ms from argument 2: `basetime` + the value (seconds when `seconds`), with
 * Redis's overflow checks. Null after an error reply.
 */
function deadlineArg(call: CommandCall, basetime: number, seconds: boolean): number | null {
  const v = parseInteger(call.args.str(2));
  if (v === null) {
    call.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  // Exact arithmetic only where a double could round; ordinary values stay numbers.
  if (typeof v === 'number' && Math.abs(v) < 2 ** 42) return (seconds ? v * 1000 : v) + basetime;
  let when = BigInt(v);
  if (seconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) {
      call.reply.error(`invalid expire time in '${call.args.lower(0)}' command`);
      return null;
    }
    when *= 1000n;
  }
  if (when > LLONG_MAX - BigInt(basetime)) {
    call.reply.error(`invalid expire time in '${call.args.lower(0)}' command`);
    return null;
  }
  return Number(when + BigInt(basetime));
}

/** EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `relative` adds the batch clock. */
function expireGeneric(call: CommandCall, relative: boolean, seconds: boolean): void {
  const { args, reply, client, server, now } = call;
  const flags = expireFlags(call);
  if (flags < 0) return;
  const when = deadlineArg(call, relative ? now : 0, seconds);
  if (when === null) return;
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  if (db.lookup(key, now, touchFlags(client)) === undefined) {
    reply.integer(0);
    return;
  }
  if (flags) {
    const current = db.getExpire(key);
    if (
      (flags & ExpireFlag.NX && current !== -1) ||
      (flags & ExpireFlag.XX && current === -1) ||
      // No deadline counts as infinite: GT never wins over it, LT always does.
      (flags & ExpireFlag.GT && (current === -1 || when <= current)) ||
      (flags & ExpireFlag.LT && current !== -1 && when >= current)
    ) {
      reply.integer(0);
      return;
    }
  }
  if (when <= now) {
    db.delete(key, now);
    notifyKeyspaceEvent(server, 'g', 'del', key, db.id);
    if (server.propagation.active) call.propagateAs = [lazyExpireDel(server), args.buf(1)];
  } else {
    db.setExpire(key, when);
    notifyKeyspaceEvent(server, 'g', 'expire', key, db.id);
    // Propagated as PEXPIREAT with the absolute deadline, the NX/XX/GT/LT options kept.
    if (server.propagation.active && (relative || seconds)) {
      const argv: Arg[] = ['PEXPIREAT', args.buf(1), String(when)];
      for (let i = 3; i < args.count; i++) argv.push(args.buf(i));
      call.propagateAs = argv;
    }
  }
  server.dirty++;
  reply.integer(1);
}

/** TTL, PTTL, EXPIRETIME, PEXPIRETIME: -2 missing, -1 no deadline; seconds are rounded. */
function ttlGeneric(call: CommandCall, ms: boolean, absolute: boolean): void {
  const { args, reply, client, server, now } = call;
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  if (db.lookup(key, now, Lookup.NoTouch | Lookup.Read) === undefined) {
    reply.integer(-2);
    return;
  }
  const expire = db.getExpire(key);
  if (expire === -1) {
    reply.integer(-1);
    return;
  }
  let ttl = absolute ? expire : expire - now;
  if (ttl < 0) ttl = 0;
  reply.integer(ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function persist({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  if (db.lookup(key, now, touchFlags(client)) === undefined || !db.persist(key)) {
    reply.integer(0);
    return;
  }
  notifyKeyspaceEvent(server, 'g', 'persist', key, db.id);
  server.dirty++;
  reply.integer(1);
}

// ---- the table ------------------------------------------------------------------------------

const WRITE_FAST = ['keyspace', 'write', 'fast'];
const READ_FAST = ['keyspace', 'read', 'fast'];
const key1 = { firstKey: 1, lastKey: 1, step: 1 };
const setSpec = [{ flags: ['RW', 'update'], begin: 1, lastKey: 0, step: 1 }];
const readSpec = [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }];

export const expireCommands: CommandDef[] = [
  {
    name: 'expire', arity: -3, flags: F.Write | F.Fast, acl: WRITE_FAST, group: 'generic', since: '1.0.0',
    summary: 'Sets the expiration time of a key in seconds.', complexity: 'O(1)', ...key1, keySpecs: setSpec,
    handler: (c) => expireGeneric(c, true, true),
  },
  {
    name: 'pexpire', arity: -3, flags: F.Write | F.Fast, acl: WRITE_FAST, group: 'generic', since: '2.6.0',
    summary: 'Sets the expiration time of a key in milliseconds.', complexity: 'O(1)', ...key1, keySpecs: setSpec,
    handler: (c) => expireGeneric(c, true, false),
  },
  {
    name: 'expireat', arity: -3, flags: F.Write | F.Fast, acl: WRITE_FAST, group: 'generic', since: '1.2.0',
    summary: 'Sets the expiration time of a key to a Unix timestamp.', complexity: 'O(1)', ...key1, keySpecs: setSpec,
    handler: (c) => expireGeneric(c, false, true),
  },
  {
    name: 'pexpireat', arity: -3, flags: F.Write | F.Fast, acl: WRITE_FAST, group: 'generic', since: '2.6.0',
    summary: 'Sets the expiration time of a key to a Unix milliseconds timestamp.', complexity: 'O(1)', ...key1,
    keySpecs: setSpec, handler: (c) => expireGeneric(c, false, false),
  },
  {
    name: 'ttl', arity: 2, flags: F.Readonly | F.Fast, acl: READ_FAST, group: 'generic', since: '1.0.0',
    summary: 'Returns the expiration time in seconds of a key.', complexity: 'O(1)', ...key1, keySpecs: readSpec,
    tips: ['nondeterministic_output'], handler: (c) => ttlGeneric(c, false, false),
  },
  {
    name: 'pttl', arity: 2, flags: F.Readonly | F.Fast, acl: READ_FAST, group: 'generic', since: '2.6.0',
    summary: 'Returns the expiration time in milliseconds of a key.', complexity: 'O(1)', ...key1, keySpecs: readSpec,
    tips: ['nondeterministic_output'], handler: (c) => ttlGeneric(c, true, false),
  },
  {
    name: 'expiretime', arity: 2, flags: F.Readonly | F.Fast, acl: READ_FAST, group: 'generic', since: '7.0.0',
    summary: 'Returns the expiration time of a key as a Unix timestamp.', complexity: 'O(1)', ...key1, keySpecs: readSpec,
    handler: (c) => ttlGeneric(c, false, true),
  },
  {
    name: 'pexpiretime', arity: 2, flags: F.Readonly | F.Fast, acl: READ_FAST, group: 'generic', since: '7.0.0',
    summary: 'Returns the expiration time of a key as a Unix milliseconds timestamp.', complexity: 'O(1)', ...key1,
    keySpecs: readSpec, handler: (c) => ttlGeneric(c, true, true),
  },
  {
    name: 'persist', arity: 2, flags: F.Write | F.Fast, acl: WRITE_FAST, group: 'generic', since: '2.2.0',
    summary: 'Removes the expiration time of a key.', complexity: 'O(1)', ...key1, keySpecs: setSpec, handler: persist,
  },
];
