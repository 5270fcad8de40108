// The Lua debugger of one SCRIPT DEBUG session (eval.c's ldb*): the line hook that stops the
// script, the debugger's console (step, continue, list, print, break, trace, eval, redis, maxlen,
// abort, help) read from the client's socket while the script waits inside the JavaScript stack,
// and the <redis>/<reply>/<error>/<debug> lines scripts produce. Texts are Redis's.
import type { DebugIo } from '../../commands/context.js';
import type { Runtime, DebugHooks } from '../lua/runtime.js';
import { LuaError, LuaTable, type LuaFunction, type LuaValue } from '../lua/values.js';
import { atoi, encodeLogs, luaValueRepr, parseDebuggerRequest, PROTOCOL_ERROR, replyToHuman } from './ldb-format.js';

export interface LdbOptions {
  io: DebugIo;
  /** The script's body: what list, whole and the stop lines show. */
  source: string;
  R: Runtime;
  /** Called between waits of a session that must not block others (YES): serve them, or raise to end. */
  whileWaiting?: () => void;
  /** How long the script may run without a stop before the debugger takes over (ms). */
  timeLimitMs: number;
}

/** One Lua function being run: where it is and what its locals are. */
interface Frame {
  name: string | null;
  line: number;
  locals: () => [string, LuaValue][];
}

const LDB_BREAKPOINTS_MAX = 64;
const LDB_MAX_LEN_DEFAULT = 256;
/** How long one wait for the client lasts before a YES session serves the others. */
const WAIT_SLICE_MS = 50;
const NO_LOCALS = (): [string, LuaValue][] => [];

const HELP = [
  'Redis Lua debugger help:',
  '[h]elp               Show this help.',
  '[s]tep               Run current line and stop again.',
  '[n]ext               Alias for step.',
  '[c]ontinue           Run till next breakpoint.',
  '[l]ist               List source code around current line.',
  '[l]ist [line]        List source code around [line].',
  '                     line = 0 means: current position.',
  '[l]ist [line] [ctx]  In this form [ctx] specifies how many lines',
  '                     to show before/after [line].',
  "[w]hole              List all source code. Alias for 'list 1 1000000'.",
  '[p]rint              Show all the local variables.',
  '[p]rint <var>        Show the value of the specified variable.',
  '                     Can also show global vars KEYS and ARGV.',
  '[b]reak              Show all breakpoints.',
  '[b]reak <line>       Add a breakpoint to the specified line.',
  '[b]reak -<line>      Remove breakpoint from the specified line.',
  '[b]reak 0            Remove all breakpoints.',
  '[t]race              Show a backtrace.',
  '[e]val <code>        Execute some Lua code (in a different callframe).',
  '[r]edis <cmd>        Execute a Redis command.',
  '[m]axlen [len]       Trim logged Redis replies and Lua var dumps to len.',
  '                     Specifying zero as <len> means unlimited.',
  '[a]bort              Stop the execution of the script. In sync',
  '                     mode dataset changes will be retained.',
  '',
  'Debugger functions you can call from Lua scripts:',
  'redis.debug()        Produce logs in the debugger console.',
  'redis.breakpoint()   Stop execution like if there was a breakpoint in the',
  '                     next line of code.',
];

/** luaPushError + luaError: an error table {err = "ERR <msg>"}, raised. */
function luaError(msg: string): LuaError {
  const t = new LuaTable();
  t.set('err', `ERR ${msg}`);
  return new LuaError(t);
}

export class Ldb implements DebugHooks {
  /** Stop at the next line whatever the breakpoints. */
  step = true;
  /** redis.breakpoint() was called: stop at the next line. */
  luabp = false;
  private bp: number[] = [];
  private maxlen = LDB_MAX_LEN_DEFAULT;
  private maxlenHintSent = false;
  private logs: string[] = [];
  private readonly lines: string[];
  private currentline = 0;
  private cbuf = '';
  private readonly frames: Frame[] = [];
  private start = performance.now();
  /** The client hung up: nothing more is written. */
  private gone = false;

  constructor(private readonly o: LdbOptions) {
    // Trailing newlines are not lines (ldbStartSession).
    this.lines = o.source.replace(/[\r\n]+$/, '').split('\n');
  }

  // ---- what scripts and redis.call log -------------------------------------------------------

  /** ldbIsEnabled: commands, replies and errors are logged only while stepping. */
  get logging(): boolean {
    return this.step;
  }

  log(entry: string): void {
    this.logs.push(entry);
  }

  /** ldbLogWithMaxLen: trimmed at maxlen, with a hint the first time. */
  private logTrimmed(entry: string): void {
    let trimmed = false;
    if (this.maxlen && entry.length > this.maxlen) {
      entry = `${entry.slice(0, this.maxlen)} ...`;
      trimmed = true;
    }
    this.log(entry);
    if (trimmed && !this.maxlenHintSent) {
      this.maxlenHintSent = true;
      this.log("<hint> The above reply was trimmed. Use 'maxlen 0' to disable trimming.");
    }
  }

  /** A command a script runs: "<redis> set k v", at most ten arguments shown. */
  logCommand(argv: readonly string[]): void {
    let s = '<redis>';
    for (let j = 0; j < argv.length; j++) {
      if (j === 10) {
        s += ` ... (${argv.length - j - 1} more)`;
        break;
      }
      s += ` ${argv[j]!}`;
    }
    this.log(s);
  }

  /** Its reply (RESP, latin1): an error line first for an error, then "<reply> ..." trimmed. */
  logReply(resp: string): void {
    if (resp[0] === '-') this.log(`<error> ${resp.slice(0, resp.indexOf('\r'))}`);
    this.logTrimmed(`<reply> ${replyToHuman(resp)[0]}`);
  }

  /** redis.debug(...): "<debug> line N: v1, v2". */
  debug(values: readonly LuaValue[]): void {
    this.log(`<debug> line ${this.currentline}: ${values.map((v) => luaValueRepr(v)).join(', ')}`);
  }

  /** ldbSendLogs: the pending lines as one multi-bulk, written before returning. */
  send(): void {
    const lines = this.logs;
    this.logs = [];
    if (this.gone) return;
    if (!this.o.io.write(encodeLogs(lines))) this.gone = true;
  }

  // ---- the hooks of the debug compile ------------------------------------------------------------

  enter(name: string | null): void {
    this.frames.push({ name, line: 0, locals: NO_LOCALS });
  }

  leave(): void {
    this.frames.pop();
  }

  /** luaLdbLineHook for a new line. */
  line(line: number, locals: () => [string, LuaValue][]): void {
    const f = this.frames[this.frames.length - 1];
    if (f) {
      f.line = line;
      f.locals = locals;
    }
    this.currentline = line;
    const bp = this.luabp || this.bp.includes(line);
    if (!this.step && !bp) return;
    this.stop(bp ? (this.luabp ? 'redis.breakpoint() called' : 'break point') : 'step over', false);
  }

  /**
   * The count hook: a script running this long with no stop is stopped, in case it loops for
   * ever (busy-reply-threshold, or 5 s).
   */
  tick(line: number): void {
    if (this.step || this.luabp || this.bp.includes(line)) return;
    if (performance.now() - this.start < this.o.timeLimitMs) return;
    this.currentline = line;
    const f = this.frames[this.frames.length - 1];
    if (f) f.line = line;
    this.stop('timeout reached, infinite loop?', true);
  }

  private stop(reason: string, timeout: boolean): void {
    this.step = false;
    this.luabp = false;
    this.log(`* Stopped at ${this.currentline}, stop reason = ${reason}`);
    this.logSourceLine(this.currentline);
    this.send();
    // A client that left during an endless loop would leave the server blocked: end the script.
    if (!this.repl() && timeout) throw luaError('timeout during Lua debugging with client closing connection');
    this.start = performance.now();
  }

  // ---- the console ---------------------------------------------------------------------------------

  /** ldbRepl: runs debugger commands until one resumes the script. False if the client left. */
  private repl(): boolean {
    for (;;) {
      const argv = this.readCommand();
      if (argv === undefined) return false;
      const cmd = argv[0]!.toLowerCase();
      const argc = argv.length;
      if (cmd === 's' || cmd === 'step' || cmd === 'n' || cmd === 'next') {
        this.step = true;
        return true;
      }
      if (cmd === 'c' || cmd === 'continue') return true;
      if (cmd === 'a' || cmd === 'abort') throw luaError('script aborted for user request');
      if (cmd === 'h' || cmd === 'help') for (const l of HELP) this.log(l);
      else if (cmd === 't' || cmd === 'trace') this.trace();
      else if (cmd === 'm' || cmd === 'maxlen') this.maxlenCommand(argv);
      else if (cmd === 'b' || cmd === 'break') this.breakCommand(argv);
      else if (cmd === 'e' || cmd === 'eval') this.evalCommand(argv);
      else if (argc > 1 && (cmd === 'r' || cmd === 'redis')) this.redisCommand(argv);
      else if (cmd === 'p' || cmd === 'print') {
        if (argc === 2) this.print(argv[1]!);
        else this.printAll();
      } else if (cmd === 'l' || cmd === 'list') {
        let around = this.currentline;
        let ctx = 5;
        if (argc > 1) {
          const num = atoi(argv[1]!);
          if (num > 0) around = num;
        }
        if (argc > 2) ctx = atoi(argv[2]!);
        this.list(around, ctx);
      } else if (cmd === 'w' || cmd === 'whole') this.list(1, 1000000);
      else this.log('<error> Unknown Redis Lua debugger command or wrong number of arguments.');
      this.send();
    }
  }

  /** The next request; undefined once the client left (the script then runs on, unstopped). */
  private readCommand(): string[] | undefined {
    for (;;) {
      const parsed = parseDebuggerRequest(this.cbuf);
      if (parsed === PROTOCOL_ERROR) throw luaError(PROTOCOL_ERROR);
      if (parsed !== undefined) {
        // Redis drops the whole buffer after one request.
        this.cbuf = '';
        return parsed;
      }
      const got = this.gone ? false : this.readSome();
      if (got === false) {
        this.gone = true;
        this.step = false;
        this.bp = [];
        return undefined;
      }
      this.cbuf += got.toString('latin1');
      if (this.cbuf.length > 1 << 20) {
        this.cbuf = '';
        throw luaError('max client buffer reached');
      }
    }
  }

  private readSome(): Buffer | false {
    const { io, whileWaiting } = this.o;
    if (!whileWaiting) return io.read(-1) || false;
    for (;;) {
      const got = io.read(WAIT_SLICE_MS);
      if (got !== null) return got;
      whileWaiting();
    }
  }

  // ---- the commands --------------------------------------------------------------------------------

  private sourceLine(line: number): string {
    const idx = line - 1;
    return idx < 0 || idx >= this.lines.length ? '<out of range source code line>' : this.lines[idx]!;
  }

  private logSourceLine(n: number): void {
    const bp = this.bp.includes(n);
    const current = this.currentline === n;
    const prefix = current && bp ? '->#' : current ? '-> ' : bp ? '  #' : '   ';
    this.log(`${prefix}${String(n).padEnd(3)} ${this.sourceLine(n)}`);
  }

  private list(around: number, context: number): void {
    for (let j = 1; j <= this.lines.length; j++) {
      if (around !== 0 && Math.abs(around - j) > context) continue;
      this.logSourceLine(j);
    }
  }

  private printAll(): void {
    const f = this.frames[this.frames.length - 1];
    let vars = 0;
    for (const [name, v] of f ? f.locals() : []) {
      this.logTrimmed(`<value> ${name} = ${luaValueRepr(v)}`);
      vars++;
    }
    if (vars === 0) this.log('No local variables in the current context.');
  }

  /** The innermost frame's variable of that name, then the outer frames', then KEYS and ARGV. */
  private print(name: string): void {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      for (const [n, v] of this.frames[i]!.locals()) {
        if (n === name) {
          this.logTrimmed(`<value> ${luaValueRepr(v)}`);
          return;
        }
      }
    }
    if (name === 'ARGV' || name === 'KEYS') this.logTrimmed(`<value> ${luaValueRepr(this.o.R.G.getStr(name))}`);
    else this.log('No such variable.');
  }

  private breakCommand(argv: readonly string[]): void {
    if (argv.length === 1) {
      if (this.bp.length === 0) {
        this.log("No breakpoints set. Use 'b <line>' to add one.");
        return;
      }
      this.log(`${this.bp.length} breakpoints set:`);
      for (const l of this.bp) this.logSourceLine(l);
      return;
    }
    for (const arg of argv.slice(1)) {
      if (!/^-?(0|[1-9]\d{0,17})$/.test(arg)) {
        this.log(`Invalid argument:'${arg}'`);
        continue;
      }
      const line = Number(arg);
      if (line === 0) {
        this.bp = [];
        this.log('All breakpoints removed.');
      } else if (line > 0) {
        if (this.bp.length === LDB_BREAKPOINTS_MAX) {
          this.log('Too many breakpoints set.');
        } else if (line <= this.lines.length && !this.bp.includes(line)) {
          this.bp.push(line);
          this.list(line, 1);
        } else {
          this.log('Wrong line number.');
        }
      } else {
        const at = this.bp.indexOf(-line);
        if (at >= 0) {
          this.bp.splice(at, 1);
          this.log('Breakpoint removed.');
        } else {
          this.log('No breakpoint in the specified line.');
        }
      }
    }
  }

  private trace(): void {
    if (this.frames.length === 0) {
      this.log("<error> Can't retrieve Lua stack.");
      return;
    }
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      this.log(`${i === this.frames.length - 1 ? 'In' : 'From'} ${f.name ?? 'top level'}:`);
      this.logSourceLine(f.line);
    }
  }

  /** eval: the code as an expression ("return <code>"), else as statements, in chunk ldb_eval. */
  private evalCommand(argv: readonly string[]): void {
    const R = this.o.R;
    const code = argv.slice(1).join(' ');
    const pos = R.pos;
    const saved = { chunk: pos.chunk, line: pos.line };
    pos.chunk = 'ldb_eval';
    pos.line = 0;
    try {
      let fn: LuaFunction;
      try {
        fn = R.load(`return ${code}`);
      } catch {
        try {
          fn = R.load(code);
        } catch (e) {
          this.log(`<error> ${(e as Error).message}`);
          return;
        }
      }
      let result: LuaValue;
      try {
        result = fn()[0];
      } catch (e) {
        this.log(`<error> ${errorText(R, e)}`);
        return;
      }
      this.logTrimmed(`<retval> ${luaValueRepr(result)}`);
    } finally {
      pos.chunk = saved.chunk;
      pos.line = saved.line;
    }
  }

  /** redis: redis.call with logging forced on, its error kept from the script. */
  private redisCommand(argv: readonly string[]): void {
    const redis = this.o.R.G.getStr('redis') as LuaTable;
    const call = redis.getStr('call') as LuaFunction;
    this.step = true;
    try {
      call(...argv.slice(1));
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
    } finally {
      this.step = false;
    }
  }

  private maxlenCommand(argv: readonly string[]): void {
    if (argv.length === 2) {
      let n = atoi(argv[1]!);
      this.maxlenHintSent = true;
      if (n !== 0 && n <= 60) n = 60;
      this.maxlen = n;
    }
    this.log(this.maxlen ? `<value> replies are truncated at ${this.maxlen} bytes.` : '<value> replies are unlimited.');
  }
}

/** lua_tostring of an error value: its text, or an error table's err field. */
function errorText(R: Runtime, e: unknown): string {
  if (e instanceof LuaError) {
    const v = e.value;
    if (v instanceof LuaTable) {
      const err = v.getStr('err');
      return typeof err === 'string' ? err : '(null)';
    }
    return typeof v === 'string' ? v : R.tostring(v);
  }
  if (e instanceof RangeError) return `${R.pos.chunk}:${R.pos.line}: stack overflow`;
  throw e;
}
