// DUMP and RESTORE (cluster.c): a value in Redis's RDB object format with the RDB version and a
// CRC-64 footer, so a payload DUMPed by redis-server RESTOREs here and the other way round.
import { lazyServerDel, type Arg } from './propagate.js';
import { isString, Lookup, type Value } from '../data/keyspace.js';
import type { Config } from '../config/config.js';
import { RedisList } from '../data/list.js';
import { RedisHash } from '../data/hash.js';
import { checkFooter, RDB_VERSION, RDB_VERSION_DUMP, RdbReader, withFooter } from '../persistence/rdb-encoding.js';
import { hashNeedsRdb12 } from '../persistence/rdb-hash.js';
import { loadObject, saveObject } from '../persistence/rdb-object.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import { quicklistNodes } from './debug-keyspace.js';
import { notifyKeyspaceEvent } from './notify.js';
import { objectEncoding } from './object.js';
import { longLongArg } from './streams.js';

const F = CmdFlag;

/** DUMP key: the payload, or a null bulk for a missing key. */
function dump(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  const v = server.keyspace.dbs[client.db]!.lookup(args.str(1), now, Lookup.Read);
  if (v === undefined) reply.nullBulk();
  else reply.bulk(dumpPayload(server.config, v));
}

/** createDumpPayload: the value's RDB encoding, the RDB version and the CRC64 (DUMP, MIGRATE). */
export function dumpPayload(config: Config, v: Value): Uint8Array {
  const listNodes = v instanceof RedisList ? quicklistNodes(v, config.int('list-max-listpack-size')).map((n) => n.count) : undefined;
  const encoding = objectEncoding(v, config);
  // 7.2's version 11 (so that 7.2 restores it) unless the value is one only 7.4's 12 can hold.
  const rdbVersion = v instanceof RedisHash && hashNeedsRdb12(v, encoding) ? RDB_VERSION : RDB_VERSION_DUMP;
  const { type, body } = saveObject(v, { config, encoding, listNodes, compress: config.str('rdbcompression') === 'yes', rdbVersion });
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return withFooter(out, rdbVersion);
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restore(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < args.count; j++) {
    const more = args.count - j - 1;
    if (args.is(j, 'replace')) replace = true;
    else if (args.is(j, 'absttl')) absttl = true;
    else if (args.is(j, 'idletime') && more >= 1 && freq === -1) {
      const n = longLongArg(call, ++j);
      if (n === null) return;
      if (n < 0) {
        reply.error('Invalid IDLETIME value, must be >= 0');
        return;
      }
      idle = n;
    } else if (args.is(j, 'freq') && more >= 1 && idle === -1) {
      const n = longLongArg(call, ++j);
      if (n === null) return;
      if (n < 0 || n > 255) {
        reply.error('Invalid FREQ value, must be >= 0 and <= 255');
        return;
      }
      freq = n;
    } else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  const db = server.keyspace.dbs[client.db]!;
  const key = args.str(1);
  if (!replace && db.lookup(key, now, Lookup.NoTouch) !== undefined) {
    reply.error('-BUSYKEY Target key name already exists.');
    return;
  }
  let ttl = longLongArg(call, 2);
  if (ttl === null) return;
  if (ttl < 0) {
    reply.error('Invalid TTL value, must be >= 0');
    return;
  }
  const body = checkFooter(args.buf(3));
  if (!body) {
    reply.error('DUMP payload version or checksum are wrong');
    return;
  }
  const r = new RdbReader(body);
  const type = r.byte();
  const value = type === undefined ? undefined : loadObject(type, r, now);
  // An empty value is bad data here (RESTORE has no key to skip).
  if (value === undefined || typeof value === 'symbol') {
    reply.error('Bad data format');
    return;
  }
  const deleted = replace && db.delete(key, now);
  const relative = ttl !== 0 && !absttl;
  if (relative) ttl += now;
  if (ttl && ttl <= now) {
    if (deleted) {
      db.touch(key);
      notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
      server.dirty++;
      if (server.propagation.active) call.propagateAs = [lazyServerDel(server), args.buf(1)];
    }
    reply.status('OK');
    return;
  }
  db.set(key, value);
  // A hash with field deadlines joins the field expiry (restoreCommand's hashTypeAddToExpires).
  if (value instanceof RedisHash && value.ttls !== null && value.ttls.size > 0) db.registerFieldTtls(key, value);
  if (ttl) db.setExpire(key, ttl);
  // objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME under an LRU one.
  if (server.keyspace.lfu) {
    if (freq >= 0) db.setAccessClock(key, ((Math.floor(now / 60000) & 0xffff) << 8) | freq);
  } else if (idle >= 0) db.setAccessClock(key, Math.floor(now / 1000) - idle);
  if (!isString(value)) server.blocked.signalKeyAsReady(client.db, key);
  notifyKeyspaceEvent(server, 'g', 'restore', key, client.db);
  reply.status('OK');
  server.dirty++;
  // A relative TTL is propagated as the absolute deadline, with ABSTTL added.
  if (server.propagation.active && relative) {
    const argv: Arg[] = [];
    for (let i = 0; i < args.count; i++) argv.push(i === 2 ? String(ttl) : args.buf(i));
    argv.push('ABSTTL');
    call.propagateAs = argv;
  }
}

export const dumpCommands: CommandDef[] = [
  {
    name: 'dump', arity: 2, flags: F.Readonly, acl: ['keyspace', 'read', 'slow'], group: 'generic', since: '2.6.0',
    summary: 'Returns a serialized representation of the value stored at a key.',
    complexity: 'O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['RO', 'access'], begin: 1, lastKey: 0, step: 1 }],
    tips: ['nondeterministic_output'],
    handler: dump,
  },
  {
    name: 'restore', arity: -4, flags: F.Write | F.DenyOom, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'generic', since: '2.6.0',
    summary: 'Creates a key from the serialized representation of a value.',
    complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['OW', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: restore,
  },
  {
    // MIGRATE's form of RESTORE for a slot being imported: the same command here, one node
    // owning every slot.
    name: 'restore-asking', arity: -4, flags: F.Write | F.DenyOom | F.Asking, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'server',
    since: '3.0.0', summary: 'An internal command for migrating keys in a cluster.',
    complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).',
    firstKey: 1, lastKey: 1, step: 1,
    keySpecs: [{ flags: ['OW', 'update'], begin: 1, lastKey: 0, step: 1 }],
    handler: restore,
  },
];
