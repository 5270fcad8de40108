// The Lua state scripts run in, as Redis 7.2 sets it up (script_lua.c, eval.c): the Lua
// libraries, the `redis` table, cjson and bit, the globals locked (reading a missing global and
// writing any global are errors), and the fake client through which redis.call runs commands with
// the same table, ACL and hooks as clients do. One ScriptEngine per server.
import { Client } from '../clients/client.js';
import { ClientFlag } from '../clients/flags.js';
import { forEachCommandKey, lookupCommand } from '../commands/dispatch.js';
import type { BusyScript, ServerContext } from '../commands/context.js';
import { REDIS_VERSION } from '../config/version.js';
import { Args } from '../engine/args.js';
import { ReplyWriter, type Resp } from '../protocol/reply.js';
import { CmdFlag, type Command, type CommandCall } from '../table/table.js';
import { installBit } from './bit.js';
import { installCjson } from './cjson.js';
import { installCmsgpack } from './cmsgpack.js';
import { installRandom } from './random.js';
import { installStruct } from './struct.js';
import { COUNTED_ERRORS, respToLua } from './convert.js';
import type { Ldb } from './debug/ldb.js';
import type { Rollback } from './debug/rollback.js';
import { nodeCrypto } from '../util/crypto.js';
import { Runtime } from './lua/runtime.js';
import { installStdlib } from './lua/stdlib.js';
import { LuaError, LuaTable, numberToString, type LuaFunction, type LuaValue } from './lua/values.js';

/** What the script being run may do, and with which protocol its redis.call replies come. */
export interface RunState {
  caller: Client;
  readOnly: boolean;
  resp: Resp;
  wrote: boolean;
  /** The clock of the command that runs the script (ms): the script's commands see the same time. */
  now: number;
  /** Over maxmemory when the script started, and no allow-oom flag: its first deny-oom command fails. */
  oom: boolean;
  /** The caller's writer: errors of the script's commands count in its errorstats. */
  stats: ReplyWriter;
  /** Cluster mode: the script's commands may use keys of other slots than the first one (allow-cross-slot-keys). */
  allowCrossSlot: boolean;
  /** Cluster mode: the slot of the keys used so far, from the request's declared keys on (-1: none yet). */
  slot: number;
}

const LOG_LEVELS = { LOG_DEBUG: 0, LOG_VERBOSE: 1, LOG_NOTICE: 2, LOG_WARNING: 3 };
/** The flags a script or function may declare (scripts_flags_def). */
export const FUNCTION_FLAGS: ReadonlySet<string> = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

/** An error of the redis API (luaPushError + lua_error): a table {err = "ERR ..."}, no position. */
function apiError(msg: string): LuaError {
  const t = new LuaTable();
  t.set('err', `ERR ${msg}`);
  return new LuaError(t);
}

export function sha1hex(s: string): string {
  return nodeCrypto().createHash('sha1').update(s, 'latin1').digest('hex');
}

export class ScriptEngine {
  readonly R: Runtime;
  /**
   * FUNCTION LOAD in progress: redis.register_function is the only way to act (it hands the
   * function over here); redis.call does not exist yet.
   */
  registering: ((name: string, fn: LuaFunction, flags: string[], description: string | undefined) => string | undefined) | undefined;
  /** The client redis.call runs commands as (Redis's lua_client). */
  readonly client: Client;
  private readonly capture: ReplyWriter;
  /** The reply of the command being run, as a latin1 string. */
  private captured = '';
  private readonly args = new Args();
  private readonly commandCache = new Map<string, Command>();
  /** The CommandCall of redis.call, reused; its clock runs from one command's end to the next's. */
  private readonly call: CommandCall;
  run: RunState | undefined;
  /** A SCRIPT DEBUG session in progress: what the script's commands log, and redis.debug(). */
  ldb: Ldb | undefined;
  /** Its rollback (YES mode): the keys each write command names are kept before it runs. */
  rollback: Rollback | undefined;
  /** The script being run as SCRIPT KILL sees it (set by runScript). */
  busy: BusyScript | undefined;

  constructor(
    private readonly server: ServerContext,
    private readonly log: (level: number, msg: string) => void,
    /** 'user_script' for EVAL, 'user_function' for FUNCTION: the chunk name errors show. */
    chunk = 'user_script',
  ) {
    this.R = new Runtime(chunk);
    this.client = new Client(0, -1, 'lua', true, Date.now(), true, () => 'lua');
    this.client.flags |= ClientFlag.DenyBlocking;
    const capture: ReplyWriter = new ReplyWriter({
      commit: (n) => {
        const area = capture.area as Buffer & { latin1Slice(start: number, end: number): string };
        for (let i = 0; i < n; i++) this.captured += area.latin1Slice(capture.index[i * 3 + 1]!, capture.index[i * 3 + 2]!);
      },
      appendRaw: (_slot, bytes) => {
        this.captured += Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
      },
    }, 1 << 16, 1024);
    this.capture = capture;
    this.call = { client: this.client, args: this.args, reply: capture, server, now: 0, reprocessing: false, clock: 0, us: 0 };
    installStdlib(this.R);
    this.installRedis();
    installCjson(this.R);
    installBit(this.R);
    installCmsgpack(this.R);
    installStruct(this.R);
    installRandom(this.R);
    this.lockGlobals();
  }

  /** Compiles a script body into a function (errors are LuaSyntaxError with Lua's message). */
  compile(body: string): LuaFunction {
    return this.R.load(body);
  }

  // ---- redis.call ------------------------------------------------------------------------------

  /** Runs one command for the script; its reply as a Lua value, or an error table. */
  private execute(argv: LuaValue[], raise: boolean): LuaValue {
    const R = this.R;
    const run = this.run;
    if (!run) throw R.pos.error('redis.call can only be used while a script runs');
    if (argv.length === 0) return this.fail('Please specify at least one argument for this redis lib call', raise);
    // argv is the call's own rest array: numbers become their string form in place.
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (typeof a === 'string') continue;
      if (typeof a === 'number') argv[i] = numberToString(a);
      else return this.fail('Lua redis lib command arguments must be strings or integers', raise);
    }
    const strs = argv as string[];
    const server = this.server;
    const ldb = this.ldb;
    if (ldb?.logging) ldb.logCommand(strs);
    const args = this.args;
    args.setStrings(strs);
    // Scripts call a few commands many times: their names, as the script spells them, map to the
    // command without hashing the bytes again (containers with subcommands are looked up in full).
    const name = strs[0]!;
    let cmd = this.commandCache.get(name);
    if (cmd === undefined) {
      cmd = lookupCommand(server.commands, args);
      if (cmd && !cmd.subcommands && !cmd.parent && this.commandCache.size < 1024) this.commandCache.set(name, cmd);
    }
    const c = this.client;
    c.user = run.caller.user;
    c.resp = run.resp;
    if (!cmd || !cmd.arityOk(args.count)) {
      if (cmd) cmd.rejectedCalls++;
      return this.fail(cmd ? 'Wrong number of args calling Redis command from script' : 'Unknown Redis command called from script', raise);
    }
    const flags = cmd.flags;
    if (flags & CmdFlag.NoScript) return this.reject(cmd, 'This Redis command is not allowed from script', raise);
    const denied = server.acl.check(c.user, cmd, args, c);
    if (denied !== null) return this.reject(cmd, `ACL failure in script: ${denied.replace(/^-NOPERM /, '')}`, raise);
    if (flags & CmdFlag.Write && run.readOnly) return this.reject(cmd, 'Write commands are not allowed from read-only scripts.', raise);
    // scriptVerifyOOM: only before the script's first write (it cannot stop halfway after).
    if (run.oom && !run.wrote && flags & CmdFlag.DenyOom) return this.reject(cmd, "-OOM command not allowed when used memory > 'maxmemory'.", raise);
    if (flags & CmdFlag.Write) run.wrote = true;
    if (server.cluster !== undefined) {
      const err = server.cluster.scriptError(cmd, args, run, run.allowCrossSlot);
      if (err !== null) return this.reject(cmd, err, raise);
    }
    const call = this.call;
    const rollback = this.rollback;
    if (rollback && flags & CmdFlag.Write) forEachCommandKey(call, cmd, (db, key) => rollback.keep(db, key));
    const capture = this.capture;
    this.captured = '';
    capture.begin(0, run.resp);
    call.now = run.now;
    server.callFromScript(call, cmd);
    if (capture.errorCount > 0) {
      // Counted as any error reply (errorstats, total_error_replies, and the script's
      // failed_calls); the same error given back by the script is then not counted again.
      run.stats.errorCount += capture.errorCount;
      for (const [code, n] of capture.errorCodes) run.stats.errorCodes.set(code, (run.stats.errorCodes.get(code) ?? 0) + n);
      capture.errorCount = 0;
      capture.errorCodes.clear();
    }
    // The reply is read from the capture's area where it was written; only a reply too big for
    // the area went through the sink (this.captured) first.
    const area = capture.area as Buffer & { latin1Slice(start: number, end: number): string };
    const end = capture.position;
    let text: string;
    if (ldb?.logging) {
      // The debugger shows the reply as sent: read it whole, then convert it the slow way.
      text = this.captured + area.latin1Slice(0, end);
      this.captured = '';
      if (text === '') {
        capture.discard();
        return undefined;
      }
      ldb.logReply(text);
    } else if (this.captured === '') {
      if (end === 0) {
        capture.discard();
        return undefined;
      }
      const fast = fastReply(area, end, run.resp);
      if (fast !== NOT_FAST) {
        capture.discard();
        return fast;
      }
      text = area.latin1Slice(0, end);
    } else {
      text = this.captured + area.latin1Slice(0, end);
      this.captured = '';
    }
    capture.discard();
    const [v] = respToLua(text, 0, run.resp);
    if (v instanceof LuaTable && v.getStr('err') !== undefined) COUNTED_ERRORS.add(v);
    if (raise && v instanceof LuaTable && typeof v.getStr('err') === 'string') throw new LuaError(v);
    return v;
  }

  /** A command refused before it ran: counted as rejected, and an error for the script. */
  private reject(cmd: Command, msg: string, raise: boolean): LuaValue {
    cmd.rejectedCalls++;
    return this.fail(msg, raise);
  }

  /** luaPushError: "-CODE text" keeps its code, a plain text gets ERR. */
  private fail(msg: string, raise: boolean): LuaValue {
    if (this.ldb?.logging) this.ldb.log(`<error> ${msg}`);
    const t = new LuaTable();
    t.set('err', msg.startsWith('-') ? msg.slice(1) : `ERR ${msg}`);
    // A rejected command counts as an error reply where it is rejected (afterErrorReply).
    const code = (t.getStr('err') as string).split(' ')[0]!;
    const stats = this.run?.stats;
    if (stats) {
      stats.errorCount++;
      stats.errorCodes.set(code, (stats.errorCodes.get(code) ?? 0) + 1);
    }
    COUNTED_ERRORS.add(t);
    if (raise) throw new LuaError(t);
    return t;
  }

  // ---- the redis table ---------------------------------------------------------------------------

  private installRedis(): void {
    const R = this.R;
    const redis = new LuaTable();
    const fn = (name: string, f: LuaFunction) => redis.set(name, f);
    const notWhileLoading = (name: string) => {
      if (this.registering) throw R.pos.error(`attempt to call field '${name}' (a nil value)`);
    };
    fn('call', (...a) => {
      notWhileLoading('call');
      return [this.execute(a, true)];
    });
    fn('pcall', (...a) => {
      notWhileLoading('pcall');
      return [this.execute(a, false)];
    });
    fn('register_function', (...a) => {
      const register = this.registering;
      if (!register) throw apiError('redis.register_function can only be called on FUNCTION LOAD command');
      if (a.length < 1 || a.length > 2) throw apiError('wrong number of arguments to redis.register_function');
      let name: LuaValue;
      let callback: LuaValue;
      let description: string | undefined;
      const flags: string[] = [];
      if (a.length === 2) {
        name = a[0];
        callback = a[1];
        if (typeof name !== 'string' && typeof name !== 'number') throw apiError('first argument to redis.register_function must be a string');
        if (typeof callback !== 'function') throw apiError('second argument to redis.register_function must be a function');
      } else {
        const t = a[0];
        if (!(t instanceof LuaTable)) throw apiError('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
        for (const [k, v] of t.entries()) {
          if (typeof k !== 'string') throw apiError('named argument key given to redis.register_function is not a string');
          switch (k.toLowerCase()) {
            case 'function_name':
              if (typeof v !== 'string') throw apiError('function_name argument given to redis.register_function must be a string');
              name = v;
              break;
            case 'description':
              if (typeof v !== 'string') throw apiError('description argument given to redis.register_function must be a string');
              description = v;
              break;
            case 'callback':
              if (typeof v !== 'function') throw apiError('callback argument given to redis.register_function must be a function');
              callback = v;
              break;
            case 'flags':
              if (!(v instanceof LuaTable)) throw apiError('flags argument to redis.register_function must be a table representing function flags');
              for (const [, f] of v.entries()) {
                if (typeof f !== 'string' || !FUNCTION_FLAGS.has(f.toLowerCase())) throw apiError('unknown flag given');
                flags.push(f.toLowerCase());
              }
              break;
            default:
              throw apiError('unknown argument given to redis.register_function');
          }
        }
        if (name === undefined) throw apiError('redis.register_function must get a function name argument');
        if (callback === undefined) throw apiError('redis.register_function must get a callback argument');
      }
      const err = register(typeof name === 'number' ? numberToString(name) : (name as string), callback as LuaFunction, flags, description);
      if (err !== undefined) throw apiError(err);
      return [];
    });
    fn('error_reply', (msg) => {
      if (typeof msg !== 'string') throw apiError('wrong number or type of arguments');
      const t = new LuaTable();
      t.set('err', msg.startsWith('-') ? msg.slice(1) : msg);
      return [t];
    });
    fn('status_reply', (msg) => {
      if (typeof msg !== 'string') throw apiError('wrong number or type of arguments');
      const t = new LuaTable();
      t.set('ok', msg);
      return [t];
    });
    fn('sha1hex', (...a) => {
      if (a.length !== 1) throw apiError('wrong number of arguments');
      const s = typeof a[0] === 'string' ? a[0] : typeof a[0] === 'number' ? numberToString(a[0]) : '';
      return [sha1hex(s)];
    });
    fn('log', (...a) => {
      if (a.length < 2) throw apiError('redis.log() requires two arguments or more.');
      if (typeof a[0] !== 'number') throw apiError('First argument must be a number (log level).');
      const level = a[0];
      if (level < 0 || level > 3) throw apiError('Invalid debug level.');
      const msg = a.slice(1).map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : '')).join(' ');
      this.log(level, msg);
      return [];
    });
    fn('setresp', (...a) => {
      if (a.length !== 1) throw apiError('redis.setresp() requires one argument.');
      const v = a[0];
      if (v !== 2 && v !== 3) throw apiError('RESP version must be 2 or 3.');
      if (this.run) this.run.resp = v;
      return [];
    });
    fn('set_repl', (...a) => {
      if (a.length !== 1) throw apiError('redis.set_repl() requires one argument.');
      if (typeof a[0] !== 'number' || a[0] < 0 || a[0] > 3) throw apiError('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      return [];
    });
    fn('replicate_commands', () => [true]);
    // In a SCRIPT DEBUG session: stop at the next line, and log to the debugger's console.
    fn('breakpoint', () => {
      if (!this.ldb) return [false];
      this.ldb.luabp = true;
      return [true];
    });
    fn('debug', (...a) => {
      this.ldb?.debug(a);
      return [];
    });
    fn('acl_check_cmd', (...a) => {
      if (a.length === 0) throw apiError('Please specify at least one argument for this redis lib call');
      const strs = a.map((v) => (typeof v === 'string' ? v : typeof v === 'number' ? numberToString(v) : undefined));
      if (strs.some((s) => s === undefined)) throw apiError('Lua redis lib command arguments must be strings or integers');
      const args = Args.of(strs as string[]);
      const cmd = lookupCommand(this.server.commands, args);
      if (!cmd) throw apiError('Invalid command passed to redis.acl_check_cmd()');
      const user = this.run?.caller.user ?? 'default';
      return [this.server.acl.check(user, cmd, args) === null];
    });
    for (const [k, v] of Object.entries(LOG_LEVELS)) redis.set(k, v);
    redis.set('REPL_NONE', 0);
    redis.set('REPL_AOF', 1);
    redis.set('REPL_SLAVE', 2);
    redis.set('REPL_REPLICA', 2);
    redis.set('REPL_ALL', 3);
    redis.set('REDIS_VERSION', REDIS_VERSION);
    const [maj, min, patch] = REDIS_VERSION.split('.').map(Number);
    redis.set('REDIS_VERSION_NUM', (maj! << 16) | (min! << 8) | patch!);
    R.G.set('redis', redis);
  }

  /**
   * Redis locks the globals: reading one that does not exist raises an error, and the globals
   * and library tables are read-only (scripts keep their state in locals).
   */
  private lockGlobals(): void {
    const R = this.R;
    const meta = new LuaTable();
    meta.set('__index', (_t, k) => {
      throw R.pos.error(`Script attempted to access nonexistent global variable '${typeof k === 'string' ? k : numberToString(k as number)}'`);
    });
    R.G.metatable = meta;
    R.G.readonly = true;
    for (const name of ['redis', 'string', 'table', 'math', 'os', 'cjson', 'bit', 'cmsgpack', 'struct']) {
      const t = R.G.getStr(name);
      if (t instanceof LuaTable) t.readonly = true;
    }
  }

  /** The start of a script: its commands' durations are measured from here, one clock read each. */
  startClock(): void {
    this.call.clock = performance.now();
  }

  /**
   * Redis Functions' globals (luaEngineInitEngine): an empty table whose __index is the whole API
   * while functions run, and while a library loads only `redis` with register_function, log and
   * the version. Returns the switch between the two.
   */
  functionGlobals(): (loading: boolean) => void {
    const R = this.R;
    const full = R.G;
    const errorMeta = full.metatable!;
    const redis = full.getStr('redis') as LuaTable;
    const loadRedis = new LuaTable();
    for (const k of ['register_function', 'log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) loadRedis.set(k, redis.getStr(k));
    loadRedis.metatable = errorMeta;
    loadRedis.readonly = true;
    const loadApi = new LuaTable();
    loadApi.set('redis', loadRedis);
    loadApi.metatable = errorMeta;
    loadApi.readonly = true;
    const meta = new LuaTable();
    meta.set('__index', full);
    const proxy = new LuaTable();
    proxy.metatable = meta;
    proxy.readonly = true;
    R.G = proxy;
    return (loading) => {
      meta.readonly = false;
      meta.set('__index', loading ? loadApi : full);
      meta.readonly = true;
    };
  }

  /** KEYS and ARGV for an EVAL (globals, set while the protection is lifted). */
  setKeysAndArgv(keys: string[], argv: string[]): void {
    const G = this.R.G;
    G.readonly = false;
    G.set('KEYS', LuaTable.from(keys));
    G.set('ARGV', LuaTable.from(argv));
    G.readonly = true;
  }
}

/** What fastReply answers for a reply it leaves to respToLua. */
const NOT_FAST: unique symbol = Symbol('not fast');

/**
 * The commonest replies read from the bytes as written: an integer (up to 15 digits, exact in a
 * double), a bulk string and a null. `NOT_FAST` for anything else, which goes through respToLua.
 */
function fastReply(a: Buffer & { latin1Slice(start: number, end: number): string }, end: number, resp: 2 | 3): LuaValue | typeof NOT_FAST {
  const t = a[0];
  // A null bulk ($-1 in RESP2, _ in RESP3) is false and nil respectively.
  if (end === 5 && t === 36 && a[1] === 45 && a[2] === 49) return resp === 2 ? false : undefined;
  if (end === 3 && t === 95) return undefined;
  if (t === 58 /* : */) {
    let p = 1;
    const neg = a[1] === 45;
    if (neg) p++;
    const digits = end - 2 - p;
    if (digits < 1 || digits > 15) return NOT_FAST;
    let v = 0;
    for (; p < end - 2; p++) v = v * 10 + (a[p]! - 48);
    return neg ? -v : v;
  }
  if (t === 36 /* $ */ && a[1] !== 45 /* - */) {
    let p = 1;
    while (a[p] !== 13) p++;
    return a.latin1Slice(p + 2, end - 2);
  }
  return NOT_FAST;
}
