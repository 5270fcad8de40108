// DEBUG: a table of the subcommands respd supports (debug.c debugCommand), each with its argument
// count test; the rest answer Redis's subcommand syntax error. Whether DEBUG may run at all is
// enable-debug-command's business (dispatch.ts). Keyspace subcommands live in debug-keyspace.ts.
import { rewriteConfigFile } from '../config/rewrite.js';
import { keyspaceSubcommands } from './debug-keyspace.js';
import { debugProtocol } from './debug-protocol.js';
import { CmdFlag, type CommandCall, type CommandDef } from '../table/table.js';
import { string2d } from '../util/numbers.js';
import { ERR_NOT_INTEGER } from '../util/errors.js';
import { LOADING_ERR } from './loading-guard.js';

/** debug.c's help lines for the subcommands below, in its order. */
const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid> [full]',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key> [full]',
  '    Like HTSTATS but for the hash table stored at <key>\'s value.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-LEN',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'JMAP',
  '    Accepted for compatibility; does nothing.',
  'HELP',
  '    Print this help.',
];

interface Subcommand {
  argc(n: number): boolean;
  handler(call: CommandCall): void;
}

/** C's atoi: leading blanks, a sign, digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1]!, 10) | 0 : 0;
}

function ok(call: CommandCall): void {
  call.reply.status('OK');
}

function replybuffer(call: CommandCall): void {
  const { args, reply, server } = call;
  const opt = args.lower(2);
  const val = args.lower(3);
  if (opt === 'peak-reset-time') {
    const ms = val === 'never' ? -1 : val === 'reset' ? 5000 : Number(val);
    if (!Number.isInteger(ms)) {
      reply.error(ERR_NOT_INTEGER);
      return;
    }
    server.debugReplyBuffer({ peakResetTimeMs: ms });
  } else if (opt === 'resizing') {
    server.debugReplyBuffer({ resizing: atoi(args.str(3)) !== 0 });
  } else {
    syntaxError(call);
    return;
  }
  ok(call);
}

/** DEBUG SLEEP blocks the whole server on purpose, as in Redis (strtod: junk reads as 0). */
function sleep(call: CommandCall): void {
  const m = /^[ \t\n\v\f\r]*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(call.args.str(2));
  const secs = m ? (string2d(m[0].trim()) ?? 0) : 0;
  const until = performance.now() + Math.max(0, secs) * 1000;
  while (performance.now() < until) {
    // busy wait: nanosleep in Redis stops the event loop just the same
  }
  ok(call);
}

function error(call: CommandCall): void {
  // "-" + the text, newlines mapped to spaces, sent as it is (no ERR prefix added).
  call.reply.error('-' + call.args.str(2));
}

function rewriteForceAll(call: CommandCall): void {
  const r = rewriteConfigFile(call.server.configFile, call.server.config, true);
  if (r.ok) ok(call);
  else call.reply.error(`CONFIG-REWRITE-FORCE-ALL failed: ${r.error.replace(/^Rewriting config file: /, '')}`);
}

const SUBCOMMANDS: Record<string, Subcommand> = {
  'change-repl-id': {
    argc: (n) => n === 2,
    handler: (call) => {
      call.server.changeReplicationId();
      ok(call);
    },
  },
  'config-rewrite-force-all': { argc: (n) => n === 2, handler: rewriteForceAll },
  error: { argc: (n) => n === 3, handler: error },
  log: {
    argc: (n) => n === 3,
    handler: (call) => {
      call.server.logWarning(`DEBUG LOG: ${call.args.str(2)}`);
      ok(call);
    },
  },
  protocol: { argc: (n) => n === 3, handler: debugProtocol },
  sleep: { argc: (n) => n === 3, handler: sleep },
  'set-active-expire': {
    argc: (n) => n === 3,
    handler: (call) => {
      call.server.debugFlags.activeExpire = atoi(call.args.str(2)) !== 0;
      ok(call);
    },
  },
  // Redis 7.0 named it STRINGMATCH-LEN, later ones STRINGMATCH-TEST: a fuzz run of its glob matcher.
  reload: {
    argc: () => true,
    handler: (call) => {
      // During a load in slices a reload would save, and load into, a half-loaded dataset.
      if (call.server.persistence.loading) return call.reply.error(LOADING_ERR);
      const opts = { save: true, flush: true, merge: false };
      for (let j = 2; j < call.args.count; j++) {
        const o = call.args.lower(j);
        if (o === 'merge') opts.merge = true;
        else if (o === 'noflush') opts.flush = false;
        else if (o === 'nosave') opts.save = false;
        else {
          call.reply.error('DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
          return;
        }
      }
      const err = call.server.persistence.reload(opts);
      if (err === 'ERR') call.reply.error('-ERR');
      else if (err !== undefined) call.reply.error(err);
      else call.reply.status('OK');
    },
  },
  // DEBUG LOADAOF: the data emptied and the AOF files loaded again (debug.c).
  loadaof: {
    argc: (n) => n === 2,
    handler: (call) => {
      const { server } = call;
      if (server.persistence.loading) return call.reply.error(LOADING_ERR);
      let ok = false;
      server.propagation.suspended(() => {
        server.keyspace.flushAll();
        ok = server.persistence.loadAofForDebug();
      });
      if (!ok) {
        call.reply.error('Error trying to load the AOF files, check server logs.');
        return;
      }
      server.dirty = 0;
      call.preventPropagation = true;
      call.reply.status('OK');
    },
  },
  'stringmatch-len': { argc: (n) => n === 2, handler: (call) => call.reply.status('Apparently Redis did not crash: test passed') },
  'stringmatch-test': { argc: (n) => n === 2, handler: (call) => call.reply.status('Apparently Redis did not crash: test passed') },
  'pause-cron': {
    argc: (n) => n === 3,
    handler: (call) => {
      call.server.debugFlags.pauseCron = atoi(call.args.str(2)) !== 0;
      ok(call);
    },
  },
  replybuffer: { argc: (n) => n === 4, handler: replybuffer },
  // A Java-heritage heap dump in old Redis versions; kept as the no-op clients expect.
  jmap: { argc: (n) => n === 2, handler: ok },
  ...keyspaceSubcommands,
};

function syntaxError(call: CommandCall): void {
  call.reply.error(`unknown subcommand or wrong number of arguments for '${call.args.str(1).slice(0, 128)}'. Try DEBUG HELP.`);
}

function debug(call: CommandCall): void {
  const { args, reply } = call;
  const sub = args.lower(1);
  if (sub === 'help' && args.count === 2) {
    reply.array(HELP.length);
    for (const l of HELP) reply.status(l);
    return;
  }
  const row = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!row || !row.argc(args.count)) {
    syntaxError(call);
    return;
  }
  row.handler(call);
}

export const debugCommands: CommandDef[] = [
  {
    name: 'debug', arity: -2, flags: CmdFlag.Admin | CmdFlag.NoScript | CmdFlag.Loading | CmdFlag.Stale | CmdFlag.Protected,
    acl: ['admin', 'slow', 'dangerous'], group: 'server', since: '1.0.0', summary: 'A container for debugging commands.',
    complexity: 'Depends on subcommand.', handler: debug,
  },
];
