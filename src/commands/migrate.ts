// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
// [AUTH2 username password] [KEYS key ...] (cluster.c's migrateCommand): the keys DUMPed, sent
// as RESTORE (RESTORE-ASKING in cluster mode) to the other server over an outgoing connection
// (replication/migrate-links.ts), and deleted here once it accepted them unless COPY.
//
// Redis blocks the whole server while it waits for the target; respd blocks only the calling
// client, and deletes a key afterwards only if it still holds the value that was sent (a key
// written meanwhile by another client stays, so no acknowledged write is lost).
import { ClientFlag } from '../clients/flags.js';
import type { Client } from '../clients/client.js';
import type { Value } from '../data/value.js';
import { encodeCommand, type Arg } from '../propagation/propagation.js';
import type { MigrateOutcome } from '../replication/migrate-links.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_SYNTAX } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { dumpPayload } from './dump.js';
import { notifyKeyspaceEvent } from './notify.js';

const F = CmdFlag;

interface Pending {
  keys: { key: string; value: Value }[];
  copy: boolean;
  outcome: MigrateOutcome | undefined;
  /** Replies before the RESTOREs' (AUTH, SELECT). */
  preamble: number;
}

/** Transfers in flight or finished, by client, until the client's MIGRATE runs again to answer. */
const pending = new WeakMap<Client, Pending>();

function migrate(call: CommandCall): void {
  const { client } = call;
  const p = pending.get(client);
  if (p && call.reprocessing) {
    if (p.outcome === undefined) {
      // Woken for something else: wait on.
      call.server.blocked.blockUntilWoken(call, 'migrate', 0, () => undefined, false);
      return;
    }
    pending.delete(client);
    finish(call, p, p.outcome);
    return;
  }
  start(call);
}

function start(call: CommandCall): void {
  const { args, reply, client, server, now } = call;
  let copy = false;
  let replace = false;
  let auth: string[] | undefined;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < args.count; j++) {
    const more = args.count - 1 - j;
    if (args.is(j, 'copy')) copy = true;
    else if (args.is(j, 'replace')) replace = true;
    else if (args.is(j, 'auth')) {
      if (!more) return reply.error(ERR_SYNTAX);
      auth = [args.str(++j)];
    } else if (args.is(j, 'auth2')) {
      if (more < 2) return reply.error(ERR_SYNTAX);
      auth = [args.str(j + 1), args.str(j + 2)];
      j += 2;
    } else if (args.is(j, 'keys')) {
      if (args.len(3) !== 0) return reply.error('When using MIGRATE KEYS option, the key argument must be set to the empty string');
      firstKey = j + 1;
      numKeys = args.count - j - 1;
      break;
    } else return reply.error(ERR_SYNTAX);
  }
  const timeoutArg = parseInteger(args.str(5));
  const dbid = parseInteger(args.str(4));
  const port = parseInteger(args.str(2));
  if (timeoutArg === null || typeof timeoutArg === 'bigint' || dbid === null || typeof dbid === 'bigint') {
    return reply.error('value is not an integer or out of range');
  }
  const timeout = timeoutArg <= 0 ? 1000 : timeoutArg;
  const db = server.keyspace.dbs[client.db]!;
  const keys: { key: string; value: Value }[] = [];
  const cmds: Arg[][] = [];
  if (auth) cmds.push(['AUTH', ...auth]);
  cmds.push(['SELECT', String(dbid)]);
  const restore = server.config.bool('cluster-enabled') ? 'RESTORE-ASKING' : 'RESTORE';
  for (let i = 0; i < numKeys; i++) {
    const key = args.str(firstKey + i);
    const value = db.lookup(key, now);
    if (value === undefined) continue;
    const deadline = db.getExpire(key);
    // A key whose deadline is already past is not sent (and goes with its own expiry).
    let ttl = 0;
    if (deadline !== -1) {
      ttl = deadline - now;
      if (ttl < 0) continue;
      if (ttl < 1) ttl = 1;
    }
    keys.push({ key, value });
    const cmd: Arg[] = [restore, key, String(ttl), Buffer.from(dumpPayload(server.config, value))];
    if (replace) cmd.push('REPLACE');
    cmds.push(cmd);
  }
  if (keys.length === 0) return reply.status('NOKEY');
  if (client.flags & (ClientFlag.Multi | ClientFlag.DenyBlocking)) {
    // Inside MULTI or a script nothing can wait: Redis would block the server; respd refuses.
    return reply.error('MIGRATE cannot wait for the target inside MULTI or a script');
  }
  const links = server.replica.migrations;
  const p: Pending = { keys, copy, outcome: undefined, preamble: cmds.length - keys.length };
  const err = port === null || typeof port === 'bigint' || !links
    ? 'error or timeout connecting to the client'
    : links.start(args.str(1), port, Buffer.concat(cmds.map((c) => encodeCommand(c))), cmds.length, timeout, (o) => {
      p.outcome = o;
      server.blocked.wake('migrate');
    });
  if (err !== undefined) return reply.error(`-IOERR ${err}`);
  pending.set(client, p);
  call.preventPropagation = true;
  server.blocked.blockUntilWoken(call, 'migrate', 0, () => undefined, false);
}

/** The target answered (or did not): keys it accepted go unless COPY; Redis's reply. */
function finish(call: CommandCall, p: Pending, o: MigrateOutcome): void {
  const { reply, client, server, now } = call;
  if ('ioerr' in o) return reply.error(`-IOERR ${o.ioerr}`);
  const db = server.keyspace.dbs[client.db]!;
  const deleted: string[] = [];
  let error: string | undefined;
  for (let i = 0; i < p.keys.length; i++) {
    // An AUTH or SELECT error, or this key's RESTORE error: the first one is the reply.
    const failed = o.replies.slice(0, p.preamble).find((r) => r[0] === '-') ?? (o.replies[p.preamble + i]![0] === '-' ? o.replies[p.preamble + i] : undefined);
    if (failed !== undefined) {
      error ??= `Target instance replied with error: ${failed.slice(1).replace(/\r\n$/, '')}`;
      continue;
    }
    const { key, value } = p.keys[i]!;
    if (p.copy || db.peek(key, now) !== value) continue;
    db.delete(key, now);
    notifyKeyspaceEvent(server, 'g', 'del', key, client.db);
    server.dirty++;
    deleted.push(key);
  }
  // Propagated as the DEL of the keys the target acknowledged, or not at all.
  if (deleted.length > 0) call.propagateAs = ['DEL', ...deleted];
  else call.preventPropagation = true;
  if (error !== undefined) reply.error(error);
  else reply.status('OK');
}

/** migrateGetKeys: the key argument, or with KEYS (and an empty key argument) the keys after it. */
function migrateGetKeys(argc: number, lower: (i: number) => string): { pos: number; flags: readonly string[] }[] {
  const flags = ['RW', 'access', 'delete'];
  for (let i = 6; i < argc; i++) {
    if (lower(i) !== 'keys') continue;
    if (lower(3) !== '') return [];
    return Array.from({ length: argc - i - 1 }, (_, k) => ({ pos: i + 1 + k, flags }));
  }
  return [{ pos: 3, flags }];
}

export const migrateCommands: CommandDef[] = [
  {
    name: 'migrate', arity: -6, flags: F.Write | F.MovableKeys, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'generic',
    since: '2.6.0', summary: 'Atomically transfers a key from one Redis instance to another.',
    complexity: 'This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.',
    tips: ['nondeterministic_output'],
    firstKey: 3, lastKey: 3, step: 1,
    getKeys: migrateGetKeys,
    keySpecs: [
      { flags: ['RW', 'access', 'delete'], begin: 3, lastKey: 0, step: 1 },
      { flags: ['RW', 'access', 'delete', 'incomplete'], keyword: { keyword: 'KEYS', startFrom: -2 }, begin: 0, lastKey: -1, step: 1 },
    ],
    handler: migrate,
  },
];
