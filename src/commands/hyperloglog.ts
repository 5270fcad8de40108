// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST (hyperloglog.c). An HLL is a
// plain string value in Redis's own layout (data/hyperloglog.ts), so a value is copied out,
// changed and stored back; the events, dirty counts and errors are Redis's.
import type { Db } from '../data/keyspace.js';
import { HLL_DENSE, HLL_REGISTERS, HLL_SPARSE, Hll, countRaw, isHll, selfTest } from '../data/hyperloglog.js';
import type { RedisString } from '../data/string.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { lookupString } from './lookup.js';
import { notifyKeyspaceEvent } from './notify.js';

const F = CmdFlag;
const ERR_NOT_HLL = '-WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_INVALID_HLL = '-INVALIDOBJ Corrupted HLL object detected';

// ---- helpers ----------------------------------------------------------------------------------

/**
 * The HLL at `key` as a working copy: undefined when missing; null, with the error replied, for
 * another type or a string that is not an HLL (isHLLObjectOrReply).
 */
function lookupHll(call: CommandCall, db: Db, key: string, read: boolean): Hll | undefined | null {
  const v = lookupString(call, db, key, read);
  if (v === undefined || v === null) return v;
  return checked(call, v);
}

function checked(call: CommandCall, v: RedisString): Hll | null {
  if (isHll(v)) return Hll.from(v);
  call.reply.error(ERR_NOT_HLL);
  return null;
}

/**
 * Stores the changed HLL back (a new key, or the old one keeping its TTL); this signals the key.
 * Kept as a Buffer even when small: Redis's HLL strings are raw sds, never embstr (OBJECT ENCODING).
 */
function store(db: Db, key: string, hll: Hll, isNew: boolean): void {
  db.set(key, hll.bytes(), !isNew);
}

function sparseMaxBytes(call: CommandCall): number {
  return call.server.config.int('hll-sparse-max-bytes');
}

// ---- the commands -----------------------------------------------------------------------------

/** PFADD key [element ...]: 1 when a register changed (or the key was created), else 0. */
function pfadd(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const key = args.str(1);
  const found = lookupHll(call, db, key, false);
  if (found === null) return;
  const hll = found ?? Hll.create();
  let updated = found === undefined ? 1 : 0;
  const max = sparseMaxBytes(call);
  for (let j = 2; j < args.count; j++) {
    const r = hll.add(args.buf(j), max);
    if (r === 1) updated++;
    else if (r === -1) {
      // Redis changed the value in place up to the corrupt spot: keep what changed.
      if (updated) store(db, key, hll, false);
      reply.error(ERR_INVALID_HLL);
      return;
    }
  }
  if (updated) {
    hll.invalidateCache();
    store(db, key, hll, found === undefined);
    notifyKeyspaceEvent(server, '$', 'pfadd', key, client.db);
    server.dirty += updated;
  }
  reply.integer(updated ? 1 : 0);
}

/** PFCOUNT key [key ...]: one key answers from (and refreshes) its cached cardinality. */
function pfcount(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  if (args.count > 2) {
    // The union's registers, one byte each (Redis's HLL_RAW encoding).
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < args.count; j++) {
      const hll = lookupHll(call, db, args.str(j), true);
      if (hll === null) return;
      if (hll === undefined) continue;
      if (!hll.mergeInto(max)) {
        reply.error(ERR_INVALID_HLL);
        return;
      }
    }
    reply.integer(countRaw(max));
    return;
  }
  const key = args.str(1);
  const hll = lookupHll(call, db, key, true);
  if (hll === null) return;
  if (hll === undefined) {
    reply.integer(0);
    return;
  }
  if (hll.cacheValid()) {
    reply.integer(hll.cachedCard());
    return;
  }
  const card = hll.count();
  if (card < 0) {
    reply.error(ERR_INVALID_HLL);
    return;
  }
  // A read-only command that writes the cache: the value changed, so it is signalled and counted.
  hll.setCachedCard(card);
  store(db, key, hll, false);
  server.dirty++;
  reply.integer(card);
}

/** PFMERGE destkey [sourcekey ...]: the destination (a source too) gets every register's max. */
function pfmerge(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < args.count; j++) {
    const hll = lookupHll(call, db, args.str(j), true);
    if (hll === null) return;
    if (hll === undefined) continue;
    if (hll.encoding === HLL_DENSE) useDense = true;
    if (!hll.mergeInto(max)) {
      reply.error(ERR_INVALID_HLL);
      return;
    }
  }
  const key = args.str(1);
  // Already checked above when present, so only its value is wanted here (lookupKeyWrite).
  const found = lookupString(call, db, key, false) as RedisString | undefined;
  const hll = found === undefined ? Hll.create() : Hll.from(found);
  if (useDense && !hll.toDense()) {
    if (found === undefined) store(db, key, hll, true);
    reply.error(ERR_INVALID_HLL);
    return;
  }
  const maxBytes = sparseMaxBytes(call);
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hll.setRegister(j, max[j]!, maxBytes);
  hll.invalidateCache();
  store(db, key, hll, found === undefined);
  // PFMERGE publishes "pfadd": in effect a mass add.
  notifyKeyspaceEvent(server, '$', 'pfadd', key, client.db);
  server.dirty++;
  reply.status('OK');
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. */
function pfdebug(call: CommandCall): void {
  const { args, reply, client, server } = call;
  const db = server.keyspace.dbs[client.db];
  const sub = args.str(1);
  const key = args.str(2);
  const found = lookupString(call, db, key, false);
  if (found === null) return;
  if (found === undefined) {
    reply.error('The specified key does not exist');
    return;
  }
  const hll = checked(call, found);
  if (hll === null) return;
  switch (sub.toLowerCase()) {
    case 'getreg':
    case 'todense': {
      const conv = hll.encoding === HLL_SPARSE;
      if (conv) {
        if (!hll.toDense()) {
          reply.error(ERR_INVALID_HLL);
          return;
        }
        // The encoding change is stored (and counted, so it would propagate).
        store(db, key, hll, false);
        server.dirty++;
      }
      if (sub.toLowerCase() === 'todense') {
        reply.integer(conv ? 1 : 0);
        return;
      }
      const regs = hll.registers();
      reply.array(HLL_REGISTERS);
      for (let j = 0; j < HLL_REGISTERS; j++) reply.integer(regs[j]!);
      return;
    }
    case 'decode':
      if (hll.encoding !== HLL_SPARSE) reply.error('HLL encoding is not sparse');
      else reply.bulkStr(hll.decode());
      return;
    case 'encoding':
      reply.status(hll.encoding === HLL_DENSE ? 'dense' : 'sparse');
      return;
    default:
      reply.error(`Unknown PFDEBUG subcommand '${sub}'`);
  }
}

function pfselftest(call: CommandCall): void {
  const failed = selfTest(sparseMaxBytes(call));
  if (failed === undefined) call.reply.status('OK');
  else call.reply.error(failed);
}

// ---- the rows ---------------------------------------------------------------------------------

export const hyperloglogCommands: CommandDef[] = [
  {
    name: 'pfadd', arity: -2, flags: F.Write | F.DenyOom | F.Fast, acl: ['write', 'hyperloglog', 'fast'],
    group: 'hyperloglog', since: '2.8.9',
    summary: 'Adds elements to a HyperLogLog key. Creates the key if it doesn\'t exist.',
    complexity: 'O(1) to add every element.',
    firstKey: 1, lastKey: 1, step: 1, keySpecs: [{ flags: ['RW', 'insert'], begin: 1, lastKey: 0, step: 1 }],
    handler: pfadd,
  },
  {
    name: 'pfcount', arity: -2, flags: F.Readonly | F.MayReplicate, acl: ['read', 'hyperloglog', 'slow'],
    group: 'hyperloglog', since: '2.8.9',
    summary: 'Returns the approximated cardinality of the set(s) observed by the HyperLogLog key(s).',
    complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
    firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [{
      notes: 'RW because it may change the internal representation of the key, and propagate to replicas',
      flags: ['RW', 'access'], begin: 1, lastKey: -1, step: 1,
    }],
    handler: pfcount,
  },
  {
    name: 'pfmerge', arity: -2, flags: F.Write | F.DenyOom, acl: ['write', 'hyperloglog', 'slow'],
    group: 'hyperloglog', since: '2.8.9',
    summary: 'Merges one or more HyperLogLog values into a single key.',
    complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.',
    firstKey: 1, lastKey: -1, step: 1,
    keySpecs: [
      { flags: ['RW', 'access', 'insert'], begin: 1, lastKey: 0, step: 1 },
      { flags: ['RO', 'access'], begin: 2, lastKey: -1, step: 1 },
    ],
    handler: pfmerge,
  },
  {
    name: 'pfdebug', arity: 3, flags: F.Write | F.DenyOom | F.Admin,
    acl: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'], group: 'hyperloglog', since: '2.8.9',
    summary: 'Internal commands for debugging HyperLogLog values.', complexity: 'N/A',
    firstKey: 2, lastKey: 2, step: 1, keySpecs: [{ flags: ['RW', 'access'], begin: 2, lastKey: 0, step: 1 }],
    handler: pfdebug,
  },
  {
    name: 'pfselftest', arity: 1, flags: F.Admin, acl: ['hyperloglog', 'admin', 'slow', 'dangerous'],
    group: 'hyperloglog', since: '2.8.9',
    summary: 'An internal command for testing HyperLogLog values.', complexity: 'N/A',
    handler: pfselftest,
  },
];
