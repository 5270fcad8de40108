// Server commands: DBSIZE, FLUSHALL, FLUSHDB, SWAPDB, SHUTDOWN, INFO, CONFIG GET/SET/RESETSTAT/REWRITE/HELP.
import { Target } from '../propagation/propagation.js';
import { BlockType } from '../clients/client.js';
import { configSetError } from '../config/config.js';
import { rewriteConfigFile } from '../config/rewrite.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { ERR_DB_RANGE, ERR_SYNTAX } from '../util/errors.js';
import { intArg } from './args.js';
import { replyHelp } from './help.js';

const F = CmdFlag;

function dbsize({ reply, client, server }: CommandCall): void {
  reply.integer(server.keyspace.dbs[client.db].size);
}

/** FLUSHALL/FLUSHDB [ASYNC|SYNC]: true if the arguments are valid. */
function flushMode(call: CommandCall): boolean {
  const { args, reply } = call;
  if (args.count > 2 || (args.count === 2 && !args.is(1, 'async') && !args.is(1, 'sync'))) {
    reply.error(ERR_SYNTAX);
    return false;
  }
  return true;
}

function flushall(call: CommandCall): void {
  if (!flushMode(call)) return;
  call.server.persistence.abortBackground();
  call.server.dirty += call.server.keyspace.flushAll();
  call.server.persistence.afterFlushAll();
  call.server.dirty++;
  call.reply.status('OK');
  // Propagated even when there was nothing to flush (forceCommandPropagation).
  call.forcePropagation = Target.Both;
}

function flushdb(call: CommandCall): void {
  if (!flushMode(call)) return;
  call.server.dirty += call.server.keyspace.dbs[call.client.db].clear();
  call.reply.status('OK');
  call.forcePropagation = Target.Both;
}

/**
 * SWAPDB index1 index2 (dbSwapDatabases): the contents change places; clients stay on their index.
 * Watchers of keys present in either database are dirtied, and clients blocked on keys of either
 * one are served if their key now exists.
 */
function swapdb(call: CommandCall): void {
  const { reply, server } = call;
  // Not allowed in cluster mode: there is only database 0.
  if (server.cluster !== undefined) {
    reply.error('SWAPDB is not allowed in cluster mode');
    return;
  }
  const id1 = intArg(call, 1, 'invalid first DB index');
  if (id1 === null) return;
  const id2 = intArg(call, 2, 'invalid second DB index');
  if (id2 === null) return;
  const ks = server.keyspace;
  const n = ks.dbs.length;
  if (id1 < 0 || id1 >= n || id2 < 0 || id2 >= n) {
    reply.error(ERR_DB_RANGE);
    return;
  }
  if (id1 !== id2) {
    const a = ks.dbs[id1]!.dict;
    const b = ks.dbs[id2]!.dict;
    const inEither = (k: string) => a.has(k) || b.has(k);
    server.watches.touchDb(id1, inEither);
    server.watches.touchDb(id2, inEither);
    ks.swap(id1, id2);
    for (const c of server.clients) {
      const bl = c.blocked;
      if (bl === undefined || bl.type !== BlockType.Keys || (bl.db !== id1 && bl.db !== id2)) continue;
      for (const k of bl.keys) if (ks.dbs[bl.db]!.dict.has(k)) server.blocking.signalReady(bl.db, k);
    }
  }
  server.dirty++;
  reply.status('OK');
}

function shutdown(call: CommandCall): void {
  const { args, reply, server } = call;
  const how = { save: false, nosave: false, now: false, force: false };
  let abort = false;
  for (let i = 1; i < args.count; i++) {
    const o = args.lower(i);
    if (o === 'nosave') how.nosave = true;
    else if (o === 'save') how.save = true;
    else if (o === 'now') how.now = true;
    else if (o === 'force') how.force = true;
    else if (o === 'abort') abort = true;
    else {
      reply.error(ERR_SYNTAX);
      return;
    }
  }
  if ((abort && args.count !== 2) || (how.save && how.nosave)) {
    reply.error(ERR_SYNTAX);
    return;
  }
  if (abort) {
    reply.error('No shutdown in progress.');
    return;
  }
  const r = server.shutdown(how);
  // On success the server is going away: like Redis, the client gets no reply, just EOF.
  if (!r.ok) reply.error(r.error);
}

function info({ args, reply, server }: CommandCall): void {
  const sections: string[] = [];
  for (let i = 1; i < args.count; i++) sections.push(args.lower(i));
  reply.verbatim(server.info(sections));
}

function configGet({ args, reply, server }: CommandCall): void {
  const patterns: string[] = [];
  for (let i = 2; i < args.count; i++) patterns.push(args.str(i));
  const pairs = server.config.getMatching(patterns);
  reply.map(pairs.length);
  for (const [k, v] of pairs) {
    reply.bulkStr(k);
    reply.bulkStr(v);
  }
}

function configSet({ args, reply, server, client }: CommandCall): void {
  if (args.count % 2 !== 0) {
    reply.error("wrong number of arguments for 'config|set' command");
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < args.count; i += 2) pairs.push([args.str(i), args.str(i + 1)]);
  // `enable-protected-configs local` lets loopback and unix-socket clients set protected ones.
  const r = server.config.setMany(pairs, { localClient: client.local });
  if (!r.ok) {
    reply.error(r.error);
    return;
  }
  const applyError = server.applyConfig(r.changed);
  if (applyError) {
    // All or nothing: the old values come back and are applied again (restoreBackupConfig).
    server.config.restore(r.previous);
    server.applyConfig(r.changed);
    reply.error(configSetError(applyError.arg, applyError.error));
  } else {
    reply.status('OK');
  }
}

function configResetStat({ reply, server }: CommandCall): void {
  server.resetStats();
  reply.status('OK');
}

// Redis also logs "CONFIG REWRITE executed with success." (or the failure) here; the logger is not
// part of ServerContext.
function configRewrite({ reply, server }: CommandCall): void {
  const r = rewriteConfigFile(server.configFile, server.config);
  if (r.ok) reply.status('OK');
  else reply.error(r.error);
}

const CONFIG_HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Print this help.',
];


export const serverCommands: CommandDef[] = [
  {
    name: 'dbsize', arity: 1, flags: F.Readonly | F.Fast, acl: ['keyspace', 'read', 'fast'], group: 'server',
    since: '1.0.0', summary: 'Returns the number of keys in the database.', complexity: 'O(1)',
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'], handler: dbsize,
  },
  {
    name: 'flushall', arity: -1, flags: F.Write, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'server',
    since: '1.0.0', summary: 'Removes all keys from all databases.',
    complexity: 'O(N) where N is the total number of keys in all databases',
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: flushall,
  },
  {
    name: 'flushdb', arity: -1, flags: F.Write, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'server',
    since: '1.0.0', summary: 'Remove all keys from the current database.',
    complexity: 'O(N) where N is the number of keys in the selected database',
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: flushdb,
  },
  {
    name: 'swapdb', arity: 3, flags: F.Write | F.Fast, acl: ['keyspace', 'write', 'fast', 'dangerous'], group: 'server',
    since: '4.0.0', summary: 'Swaps two Redis databases.',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.', handler: swapdb,
  },
  {
    name: 'shutdown', arity: -1, flags: F.Admin | F.NoScript | F.Loading | F.Stale | F.NoMulti | F.Sentinel | F.AllowBusy,
    acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0',
    summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    handler: shutdown,
  },
  {
    name: 'time', arity: 1, flags: F.Loading | F.Stale | F.Fast, acl: ['fast'], group: 'server', since: '2.6.0',
    summary: 'Returns the server time.', complexity: 'O(1)', tips: ['nondeterministic_output'],
    handler: ({ reply }) => {
      // Microseconds since the epoch from the monotonic clock's origin (gettimeofday in Redis).
      const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
      reply.array(2);
      reply.bulkStr(String(Math.floor(us / 1e6)));
      reply.bulkStr(String(us % 1e6));
    },
  },
  {
    name: 'info', arity: -1, flags: F.Loading | F.Stale | F.Sentinel, acl: ['slow', 'dangerous'], group: 'server',
    since: '1.0.0', summary: 'Returns information and statistics about the server.', complexity: 'O(1)',
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: info,
  },
  {
    name: 'config', arity: -2, flags: 0, acl: ['slow'], group: 'server', since: '2.0.0',
    summary: 'A container for server configuration commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'get', arity: -3, flags: F.Admin | F.NoScript | F.Loading | F.Stale, acl: ['admin', 'slow', 'dangerous'],
        group: 'server', since: '2.0.0', summary: 'Returns the effective values of configuration parameters.',
        complexity: 'O(N) when N is the number of configuration parameters provided', handler: configGet,
      },
      {
        name: 'set', arity: -4, flags: F.Admin | F.NoScript | F.Loading | F.Stale, acl: ['admin', 'slow', 'dangerous'],
        group: 'server', since: '2.0.0', summary: 'Sets configuration parameters in-flight.',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: configSet,
      },
      {
        name: 'resetstat', arity: 2, flags: F.Admin | F.NoScript | F.Loading | F.Stale, acl: ['admin', 'slow', 'dangerous'],
        group: 'server', since: '2.0.0', summary: "Resets the server's statistics.", complexity: 'O(1)',
        handler: configResetStat,
      },
      {
        name: 'rewrite', arity: 2, flags: F.Admin | F.NoScript | F.Loading | F.Stale, acl: ['admin', 'slow', 'dangerous'],
        group: 'server', since: '2.8.0', summary: 'Persists the effective configuration to file.', complexity: 'O(1)',
        handler: configRewrite,
      },
      {
        name: 'help', arity: 2, flags: F.Loading | F.Stale, acl: ['slow'], group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c) => replyHelp(c, CONFIG_HELP),
      },
    ],
  },
];
