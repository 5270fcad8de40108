// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (eval.c): the script cache by SHA1, the
// `#!lua flags=...` shebang, KEYS and ARGV, and Redis's replies for every failure: compile errors
// ("Error compiling script (new function): user_script:1: ..."), runtime errors with
// "script: <sha>, on @user_script:<line>.", NOSCRIPT.
import type { ServerContext } from '../commands/context.js';
import { replyHelp } from '../commands/help.js';
import { ERR_NOT_INTEGER } from '../util/errors.js';
import { parseInteger } from '../util/numbers.js';
import { CmdFlag as F, type CommandCall, type CommandDef } from '../table/table.js';
import { COUNTED_ERRORS, luaToReply } from './convert.js';
import { ScriptEngine, sha1hex } from './engine.js';
import type { BusyScript } from '../commands/context.js';
import { debugModeOf, debugSession, scriptDebug, type DebugRun } from './debug/session.js';
import { LuaSyntaxError } from './lua/compile.js';
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from './lua/values.js';

interface Script {
  body: string;
  /** The Lua compiled (the body, its shebang line blanked): a debugging session compiles it again. */
  source: string;
  fn: LuaFunction;
  /** Shebang flags; undefined for a script without one (EVAL compatibility mode). */
  flags: Set<string> | undefined;
}

/** scriptPrepareForRun's refusal of a script flagged no-cluster in cluster mode. */
export const NO_CLUSTER = "Can not run script on cluster, 'no-cluster' flag is set.";
const SHEBANG_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

/** The scripting state of one server: its Lua engine and script cache, made on first use. */
class Scripting {
  readonly engine: ScriptEngine;
  readonly cache = new Map<string, Script>();

  constructor(server: ServerContext) {
    this.engine = new ScriptEngine(server, (level, msg) => server.logAt(level, msg));
  }

  /** Compiles and caches `body`; a string is the error reply (compile error, bad shebang). */
  load(body: string): [string, Script] | string {
    const sha = sha1hex(body);
    const cached = this.cache.get(sha);
    if (cached) return [sha, cached];
    let flags: Set<string> | undefined;
    let source = body;
    if (body.startsWith('#!')) {
      const nl = body.indexOf('\n');
      const line = nl < 0 ? body : body.slice(0, nl);
      const parts = line.slice(2).split(' ').filter(Boolean);
      if (parts[0] !== 'lua') return `Unexpected engine in script shebang: ${parts[0] ?? ''}`;
      flags = new Set();
      for (const p of parts.slice(1)) {
        if (!p.startsWith('flags=')) return `Unknown lua shebang option: ${p}`;
        for (const f of p.slice(6).split(',')) {
          if (f === '') continue;
          if (!SHEBANG_FLAGS.has(f)) return `Unexpected flag in script shebang: ${f}`;
          flags.add(f);
        }
      }
      // The shebang line is not Lua: blank it, so line numbers stay those of the body.
      source = nl < 0 ? '' : body.slice(nl);
    }
    let fn: LuaFunction;
    try {
      fn = this.engine.compile(source);
    } catch (e) {
      if (e instanceof LuaSyntaxError) return `Error compiling script (new function): ${e.message}`;
      throw e;
    }
    const script = { body, source, fn, flags };
    this.cache.set(sha, script);
    return [sha, script];
  }
}

const states = new WeakMap<ServerContext, Scripting>();
function scripting(server: ServerContext): Scripting {
  let s = states.get(server);
  if (!s) {
    s = new Scripting(server);
    states.set(server, s);
  }
  return s;
}

/** Checks EVAL/FCALL's numkeys at args[2]; the count, or undefined after the error reply. */
export function numkeysArg(call: CommandCall): number | undefined {
  const { args, reply } = call;
  const numkeys = parseInteger(args.str(2));
  if (numkeys === null || typeof numkeys === 'bigint') {
    reply.error(ERR_NOT_INTEGER);
    return undefined;
  }
  if (numkeys > args.count - 3) {
    reply.error("Number of keys can't be greater than number of args");
    return undefined;
  }
  if (numkeys < 0) {
    reply.error("Number of keys can't be negative");
    return undefined;
  }
  return numkeys;
}

/** The EVAL script cache of `server`: how many scripts, and the bytes of their bodies. */
export function scriptCacheStats(server: ServerContext): { scripts: number; bytes: number } {
  let bytes = 0;
  const cache = states.get(server)?.cache;
  for (const s of cache?.values() ?? []) bytes += s.body.length;
  return { scripts: cache?.size ?? 0, bytes };
}

function evalGeneric(call: CommandCall, bySha: boolean, readOnly: boolean): void {
  const { args, reply, server } = call;
  // Fed here (the row has skip_monitor), so that the script's own commands come after it.
  server.feedMonitors(call);
  const mode = debugModeOf(call.client);
  if (mode) {
    // SCRIPT DEBUG YES/SYNC: this EVAL is a debugging session.
    if (bySha) reply.error(args.len(1) !== 40 ? '-NOSCRIPT No matching script. Please use EVAL.' : 'Please use EVAL instead of EVALSHA for debugging');
    else debugSession(call, scripting(server).engine, mode, args.str(1), (d) => evalScript(call, false, readOnly, d));
    return;
  }
  evalScript(call, bySha, readOnly, undefined);
}

/** EVAL's work once the command is checked: the script found or compiled, then run (debugged with `debug`). */
function evalScript(call: CommandCall, bySha: boolean, readOnly: boolean, debug: DebugRun | undefined): void {
  const { args, reply, server } = call;
  const numkeys = numkeysArg(call);
  if (numkeys === undefined) return;
  const s = scripting(server);
  let sha: string;
  let script: Script | undefined;
  if (bySha) {
    sha = args.str(1);
    script = s.cache.get(sha);
    if (!script) {
      sha = sha.toLowerCase();
      script = s.cache.get(sha);
    }
    if (!script) {
      reply.error('-NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
  } else {
    const loaded = s.load(args.str(1));
    if (typeof loaded === 'string') {
      reply.error(loaded);
      return;
    }
    [sha, script] = loaded;
  }
  if (script.flags?.has('no-cluster') && server.cluster !== undefined) {
    reply.error(NO_CLUSTER);
    return;
  }
  if (readOnly && script.flags && !script.flags.has('no-writes')) {
    reply.error('Can not execute a script with write flag using *_ro command.');
    return;
  }
  // A script that declares its flags is refused whole when memory is over maxmemory, unless it
  // allows OOM or does not write (scriptPrepareForRun).
  if (script.flags && !script.flags.has('allow-oom') && !script.flags.has('no-writes') && server.preCommandOom && server.config.int('maxmemory') > 0) {
    reply.error("-OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
    return;
  }
  const keys: string[] = [];
  const argv: string[] = [];
  for (let i = 3; i < args.count; i++) (i < 3 + numkeys ? keys : argv).push(args.str(i));
  const engine = s.engine;
  engine.setKeysAndArgv(keys, argv);
  const noWrites = readOnly || (script.flags?.has('no-writes') ?? false);
  const allowOom = script.flags?.has('allow-oom') ?? false;
  // A script without a shebang (compatibility mode) may use keys of any slot.
  const allowCrossSlot = script.flags?.has('allow-cross-slot-keys') ?? true;
  if (!debug) {
    runScript(call, engine, sha, () => script.fn(), noWrites, allowOom, allowCrossSlot);
    return;
  }
  // The debug compile: its hooks stop the script where the debugger says.
  const { ldb, mode } = debug;
  const fn = engine.R.load(script.source, ldb);
  let served = performance.now();
  runScript(call, engine, sha, () => fn(), noWrites, allowOom, allowCrossSlot, {
    // Its writes are undone at the end: a YES session can always be killed.
    killable: mode === 'yes',
    onTick: (busy) => {
      ldb.tick(engine.R.pos.line);
      // A YES session running between stops answers the others every few milliseconds.
      if (mode !== 'yes' || performance.now() - served < 5) return;
      served = performance.now();
      server.serveWhileBusy(busy);
    },
  });
}

/** How a debugging session runs a script: its own tick, and whether SCRIPT KILL may end it. */
interface RunHooks {
  onTick: (busy: BusyScript) => void;
  killable: boolean;
}

/**
 * Runs a script or function for `call` and replies its result, or its error as Redis words it:
 * "-<err> script: <label>, on @<chunk>:<line>." (label: the SHA1, or the function's name).
 */
export function runScript(call: CommandCall, engine: ScriptEngine, label: string, invoke: () => LuaValue[], readOnly: boolean, allowOom = false, allowCrossSlot = true, hooks?: RunHooks): void {
  const { reply, client, server } = call;
  const R = engine.R;
  const oom = !allowOom && server.preCommandOom && server.config.int('maxmemory') > 0;
  const state = { caller: client, readOnly, resp: 2 as 2 | 3, wrote: false, now: call.now, oom, stats: reply, allowCrossSlot, slot: server.cluster?.slot ?? -1 };
  engine.run = state;
  // The script is not propagated itself: the writes it makes are (effects replication).
  call.preventPropagation = true;
  engine.startClock();
  engine.client.db = client.db;
  R.pos.line = 0;
  // Past busy-reply-threshold the script keeps running, and other clients are answered -BUSY
  // between its steps (Redis's luaMaskCountHook and processEventsWhileBlocked).
  const kind = R.pos.chunk === 'user_function' ? 'function' : 'script';
  const threshold = server.config.int('busy-reply-threshold');
  const start = performance.now();
  let logged = false;
  let served = 0;
  let silent = false;
  const busy = {
    kind,
    wrote: () => state.wrote && !hooks?.killable,
    kill: (quiet?: boolean) => {
      silent = quiet === true;
      if (!silent) server.logAt(2, 'Lua script killed by user with SCRIPT KILL.');
      const t = new LuaTable();
      t.set('err', 'ERR Script killed by user with SCRIPT KILL...');
      R.killed = new LuaError(t);
    },
  } as const;
  engine.busy = busy;
  R.onTick = hooks ? () => hooks.onTick(busy) : threshold > 0 ? () => {
    const elapsed = performance.now() - start;
    // Past the threshold, other clients are looked at every few milliseconds, not every step.
    if (elapsed < threshold || elapsed - served < 5) return;
    served = elapsed;
    if (!logged) {
      logged = true;
      server.logWarning(`Slow script detected: still in execution after ${Math.floor(elapsed)} milliseconds. You can try killing the script using the ${kind === 'script' ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${label}.`);
    }
    server.serveWhileBusy(busy);
  } : undefined;
  try {
    const result = invoke();
    const v = result[0];
    call.failed = v instanceof LuaTable && typeof v.getStr('err') === 'string';
    luaToReply(reply, v, state.resp);
  } catch (e) {
    // SHUTDOWN NOSAVE ended it: the server goes, its caller gets no reply.
    if (silent) return;
    call.failed = true;
    let err: string;
    let counted = true;
    if (e instanceof LuaError) {
      const v = e.value;
      const field = v instanceof LuaTable ? v.getStr('err') : undefined;
      err = typeof field === 'string' ? field : `ERR ${R.tostring(v)}`;
      // An error a command gave (redis.call raised it) was counted when it was given.
      if (v instanceof LuaTable && COUNTED_ERRORS.has(v)) counted = false;
    } else if (e instanceof RangeError) {
      err = `ERR ${R.pos.chunk}:${R.pos.line}: stack overflow`;
    } else {
      throw e;
    }
    reply.error(`-${err.replace(/[\r\n]+/g, ' ')} script: ${label}, on @${R.pos.chunk}:${R.pos.line}.`, counted);
  } finally {
    engine.run = undefined;
    engine.busy = undefined;
    R.onTick = undefined;
    R.killed = undefined;
  }
}

function scriptLoad({ args, reply, server }: CommandCall): void {
  const loaded = scripting(server).load(args.str(2));
  if (typeof loaded === 'string') reply.error(loaded);
  else reply.bulkStr(loaded[0]);
}

function scriptExists({ args, reply, server }: CommandCall): void {
  const cache = states.get(server)?.cache;
  reply.array(args.count - 2);
  for (let i = 2; i < args.count; i++) reply.integer(cache?.has(args.str(i).toLowerCase()) ? 1 : 0);
}

function scriptFlush({ args, reply, server }: CommandCall): void {
  if (args.count > 3 || (args.count === 3 && !args.is(2, 'sync') && !args.is(2, 'async'))) {
    reply.error('SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  states.get(server)?.cache.clear();
  reply.status('OK');
}

const SCRIPT_HELP = [
  'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
  'HELP',
  '    Print this help.',
];

const EVAL_SPECS = [{ notes: 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE', flags: ['RW', 'access', 'update'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }];
const EVAL_RO_SPECS = [{ flags: ['RO', 'access'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }];
const EVAL_FLAGS = F.NoScript | F.SkipMonitor | F.MayReplicate | F.NoMandatoryKeys | F.Stale | F.MovableKeys;
const EVAL_RO_FLAGS = F.NoScript | F.SkipMonitor | F.NoMandatoryKeys | F.Stale | F.Readonly | F.MovableKeys;
const COMPLEXITY = 'Depends on the script that is executed.';
const SUB = F.NoScript;

export const scriptingCommands: CommandDef[] = [
  {
    name: 'eval', arity: -3, flags: EVAL_FLAGS, acl: ['slow', 'scripting'], group: 'scripting', since: '2.6.0',
    summary: 'Executes a server-side Lua script.', complexity: COMPLEXITY, keySpecs: EVAL_SPECS,
    handler: (c) => evalGeneric(c, false, false),
  },
  {
    name: 'evalsha', arity: -3, flags: EVAL_FLAGS, acl: ['slow', 'scripting'], group: 'scripting', since: '2.6.0',
    summary: 'Executes a server-side Lua script by SHA1 digest.', complexity: COMPLEXITY, keySpecs: EVAL_SPECS,
    handler: (c) => evalGeneric(c, true, false),
  },
  {
    name: 'eval_ro', arity: -3, flags: EVAL_RO_FLAGS, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0',
    summary: 'Executes a read-only server-side Lua script.', complexity: COMPLEXITY, keySpecs: EVAL_RO_SPECS,
    handler: (c) => evalGeneric(c, false, true),
  },
  {
    name: 'evalsha_ro', arity: -3, flags: EVAL_RO_FLAGS, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0',
    summary: 'Executes a read-only server-side Lua script by SHA1 digest.', complexity: COMPLEXITY, keySpecs: EVAL_RO_SPECS,
    handler: (c) => evalGeneric(c, true, true),
  },
  {
    name: 'script', arity: -2, flags: 0, acl: ['slow'], group: 'scripting', since: '2.6.0',
    summary: 'A container for Lua scripts management commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { name: 'load', arity: 3, flags: SUB | F.Stale, acl: ['slow', 'scripting'], group: 'scripting', since: '2.6.0', summary: 'Loads a server-side Lua script to the script cache.', complexity: 'O(N) with N being the length in bytes of the script body.', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: scriptLoad },
      { name: 'exists', arity: -3, flags: SUB, acl: ['slow', 'scripting'], group: 'scripting', since: '2.6.0', summary: 'Determines whether server-side Lua scripts exist in the script cache.', complexity: 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).', tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'], handler: scriptExists },
      { name: 'flush', arity: -2, flags: SUB, acl: ['slow', 'scripting'], group: 'scripting', since: '2.6.0', summary: 'Removes all server-side Lua scripts from the script cache.', complexity: 'O(N) with N being the number of scripts in cache', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: scriptFlush },
      { name: 'kill', arity: 2, flags: SUB | F.AllowBusy, acl: ['slow', 'scripting'], group: 'scripting', since: '2.6.0', summary: 'Terminates a server-side Lua script during execution.', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:one_succeeded'], handler: ({ reply }) => reply.error('-NOTBUSY No scripts in execution right now.') },
      { name: 'debug', arity: 3, flags: SUB, acl: ['slow', 'scripting'], group: 'scripting', since: '3.2.0', summary: 'Sets the debug mode of server-side Lua scripts.', complexity: 'O(1)', handler: scriptDebug },
      { name: 'help', arity: 2, flags: SUB | F.Loading | F.Stale, acl: ['slow', 'scripting'], group: 'scripting', since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, SCRIPT_HELP) },
    ],
  },
];
