// String commands: GET, SET (EX PX EXAT PXAT NX XX KEEPTTL GET), INCR, DECR, INCRBY, DECRBY,
// MGET, MSET.
import { CmdFlag, type CommandCall, type CommandDef } from './table.js';
import { ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_SYNTAX, addInt64, parseInteger } from './util.js';

const F = CmdFlag;
const STR = ['string'];

function get({ args, reply, client, server, now }: CommandCall): void {
  const v = server.keyspace.dbs[client.db].lookup(args.str(1), now);
  if (v === undefined) reply.nullBulk();
  else reply.bulk(v);
}

const enum SetFlag {
  NX = 1,
  XX = 2,
  GET = 4,
  KEEPTTL = 8,
  EX = 16,
  PX = 32,
  EXAT = 64,
  PXAT = 128,
}
const EXPIRE_FLAGS = SetFlag.EX | SetFlag.PX | SetFlag.EXAT | SetFlag.PXAT;
const LLONG_MAX = 9223372036854775807;

function set(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  let flags = 0;
  let expireArg = -1;
  for (let j = 3; j < args.count; j++) {
    const opt = args.lower(j);
    const hasNext = j + 1 < args.count;
    if (opt === 'nx' && !(flags & SetFlag.XX)) flags |= SetFlag.NX;
    else if (opt === 'xx' && !(flags & SetFlag.NX)) flags |= SetFlag.XX;
    else if (opt === 'get') flags |= SetFlag.GET;
    else if (opt === 'keepttl' && !(flags & EXPIRE_FLAGS)) flags |= SetFlag.KEEPTTL;
    else if (hasNext && !(flags & SetFlag.KEEPTTL) && !(flags & EXPIRE_FLAGS) &&
      (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat')) {
      flags |= opt === 'ex' ? SetFlag.EX : opt === 'px' ? SetFlag.PX : opt === 'exat' ? SetFlag.EXAT : SetFlag.PXAT;
      expireArg = ++j;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  let deadline = -1;
  if (expireArg > 0) {
    const v = parseInteger(args.str(expireArg));
    if (v === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    const n = Number(v);
    const seconds = (flags & (SetFlag.EX | SetFlag.EXAT)) !== 0;
    if (n <= 0 || (seconds && n > LLONG_MAX / 1000)) {
      reply.error("invalid expire time in 'set' command");
      return;
    }
    const ms = seconds ? n * 1000 : n;
    deadline = flags & (SetFlag.EX | SetFlag.PX) ? now + ms : ms;
  }
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = db.lookup(key, now);
  if (flags & SetFlag.GET) {
    // Strings only exist so far; a WRONGTYPE check joins when other types do.
    if (old === undefined) reply.nullBulk();
    else reply.bulk(old);
  }
  if ((flags & SetFlag.NX && old !== undefined) || (flags & SetFlag.XX && old === undefined)) {
    if (!(flags & SetFlag.GET)) reply.nullBulk();
    return;
  }
  db.set(key, args.take(2), (flags & SetFlag.KEEPTTL) !== 0);
  if (deadline >= 0) db.setExpire(key, deadline);
  server.dirty++;
  if (!(flags & SetFlag.GET)) reply.status('OK');
}

function incrBy(call: CommandCall, delta: number | bigint): void {
  const { args, reply, client, server, now } = call;
  const key = args.str(1);
  const db = server.keyspace.dbs[client.db];
  const old = db.lookup(key, now);
  let cur: number | bigint = 0;
  if (old !== undefined) {
    const v = old.length <= 20 ? parseInteger(old.toString('latin1')) : null;
    if (v === null) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    cur = v;
  }
  const next = addInt64(cur, delta);
  if (next === null) {
    reply.error(ERR_OVERFLOW);
    return;
  }
  db.set(key, Buffer.from(String(next), 'latin1'), true);
  server.dirty++;
  reply.integer(next);
}

function deltaArg(call: CommandCall, negate: boolean): number | bigint | null {
  const v = parseInteger(call.args.str(2));
  if (v === null) {
    call.reply.error(ERR_NOT_INTEGER);
    return null;
  }
  if (!negate) return v;
  if (typeof v === 'bigint' && v === -9223372036854775808n) {
    call.reply.error('decrement would overflow');
    return null;
  }
  return typeof v === 'number' ? -v : -v;
}

function mget({ args, reply, client, server, now }: CommandCall): void {
  const db = server.keyspace.dbs[client.db];
  reply.array(args.count - 1);
  for (let i = 1; i < args.count; i++) {
    const v = db.lookup(args.str(i), now);
    if (v === undefined) reply.nullBulk();
    else reply.bulk(v);
  }
}

function mset({ args, reply, client, server }: CommandCall): void {
  if (args.count % 2 === 0) {
    reply.error("wrong number of arguments for 'mset' command");
    return;
  }
  const db = server.keyspace.dbs[client.db];
  for (let i = 1; i < args.count; i += 2) db.set(args.str(i), args.take(i + 1));
  server.dirty += (args.count - 1) / 2;
  reply.status('OK');
}

const key1 = { firstKey: 1, lastKey: 1, step: 1 };

export const stringCommands: CommandDef[] = [
  {
    name: 'get', arity: 2, flags: F.Readonly | F.Fast, acl: ['read', ...STR, 'fast'], group: 'string', since: '1.0.0',
    summary: 'Returns the string value of a key.', complexity: 'O(1)', ...key1,
    keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }], handler: get,
  },
  {
    name: 'set', arity: -3, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '1.0.0',
    summary: 'Sets the string value of a key, ignoring its type. The key is created if it doesn\'t exist.',
    complexity: 'O(1)', ...key1,
    keySpecs: [{ notes: 'RW and ACCESS due to the optional `GET` argument', flags: ['RW', 'access', 'update', 'variable_flags'], begin: 1, lastKey: 0, step: 1 }],
    handler: set,
  },
  {
    name: 'incr', arity: 2, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Increments the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => incrBy(c, 1),
  },
  {
    name: 'decr', arity: 2, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => incrBy(c, -1),
  },
  {
    name: 'incrby', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => {
      const d = deltaArg(c, false);
      if (d !== null) incrBy(c, d);
    },
  },
  {
    name: 'decrby', arity: 3, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', ...STR, 'fast'], group: 'string',
    since: '1.0.0', summary: 'Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn\'t exist.',
    complexity: 'O(1)', ...key1, keySpecs: [{ flags: ['RW', 'access', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: (c) => {
      const d = deltaArg(c, true);
      if (d !== null) incrBy(c, d);
    },
  },
  {
    name: 'mget', arity: -2, flags: F.Readonly | F.Fast, acl: ['read', ...STR, 'fast'], group: 'string', since: '1.0.0',
    summary: 'Atomically returns the string values of one or more keys.', complexity: 'O(N) where N is the number of keys to retrieve.',
    firstKey: 1, lastKey: -1, step: 1, keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: -1, step: 1 }],
    tips: ['request_policy:multi_shard'], handler: mget,
  },
  {
    name: 'mset', arity: -3, flags: F.Write | F.DenyOom, acl: ['write', ...STR, 'slow'], group: 'string', since: '1.0.1',
    summary: 'Atomically creates or modifies the string values of one or more keys.',
    complexity: 'O(N) where N is the number of keys to set.', firstKey: 1, lastKey: -1, step: 2,
    keySpecs: [{ flags: ['OW', 'update'], begin: 1, lastKey: -1, step: 2 }],
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], handler: mset,
  },
];
