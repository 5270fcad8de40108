// Redis Functions (functions.c, function_lua.c): FUNCTION LOAD [REPLACE] of a library (`#!lua
// name=<lib>`, functions registered with redis.register_function), FCALL and FCALL_RO, FUNCTION
// LIST [LIBRARYNAME pattern] [WITHCODE], DELETE, FLUSH, STATS, KILL, HELP. Libraries run in a Lua
// state of their own (chunk "user_function"), as Redis keeps them apart from EVAL's.
import type { ServerContext } from '../commands/context.js';
import { replyHelp } from '../commands/help.js';
import { CmdFlag as F, type CommandCall, type CommandDef } from '../table/table.js';
import { globMatch } from '../util/glob.js';
import { checkFooter, encodeString, RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RdbReader, withFooter } from '../persistence/rdb-encoding.js';
import { NO_CLUSTER, numkeysArg, runScript } from './commands.js';
import { ScriptEngine } from './engine.js';
import { LuaSyntaxError } from './lua/compile.js';
import { LuaError, LuaTable, type LuaFunction } from './lua/values.js';

interface RegisteredFunction {
  name: string;
  library: Library;
  fn: LuaFunction;
  flags: string[];
  description: string | undefined;
}

interface Library {
  name: string;
  code: string;
  functions: Map<string, RegisteredFunction>;
}

const NAME = /^[A-Za-z0-9_]+$/;

class Functions {
  readonly engine: ScriptEngine;
  readonly libraries = new Map<string, Library>();
  readonly functions = new Map<string, RegisteredFunction>();
  private readonly loading: (on: boolean) => void;

  constructor(server: ServerContext) {
    this.engine = new ScriptEngine(server, (level, msg) => server.logAt(level, msg), 'user_function');
    this.loading = this.engine.functionGlobals();
  }

  /** functionsCreateWithLibraryCtx: the library's name, or the error text. */
  load(code: string, replace: boolean): { name: string } | { error: string } {
    const made = this.create(code, (name) => (this.libraries.has(name) && !replace ? `Library '${name}' already exists` : undefined));
    if ('error' in made) return made;
    const library = made.library;
    const existing = this.libraries.get(library.name);
    for (const f of library.functions.values()) {
      const other = this.functions.get(f.name);
      if (other && other.library !== existing) return { error: `Function ${f.name} already exists` };
    }
    if (existing) this.remove(existing);
    this.install(library);
    return { name: library.name };
  }

  install(library: Library): void {
    this.libraries.set(library.name, library);
    for (const f of library.functions.values()) this.functions.set(f.name, f);
  }

  /** Runs a library's code to collect its functions, without installing it. */
  create(code: string, nameTaken: (name: string) => string | undefined): { library: Library } | { error: string } {
    if (!code.startsWith('#!')) return { error: 'Missing library metadata' };
    const nl = code.indexOf('\n');
    const shebang = nl < 0 ? code.slice(2) : code.slice(2, nl);
    const parts = shebang.split(' ').filter(Boolean);
    const engineName = parts.shift() ?? '';
    let name: string | undefined;
    for (const p of parts) {
      const eq = p.indexOf('=');
      if (eq < 0) return { error: `Invalid metadata value given: ${p}` };
      if (p.slice(0, eq) !== 'name') return { error: `Invalid metadata value given: ${p}` };
      if (name !== undefined) return { error: 'Invalid metadata value, name argument was given multiple times' };
      name = p.slice(eq + 1);
    }
    if (parts.length === 0) return { error: 'Invalid library metadata' };
    if (name === undefined) return { error: 'Library name was not given' };
    if (!NAME.test(name)) return { error: 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' };
    if (engineName.toLowerCase() !== 'lua') return { error: `Engine '${engineName}' not found` };
    const taken = nameTaken(name);
    if (taken !== undefined) return { error: taken };

    const library: Library = { name, code, functions: new Map() };
    const engine = this.engine;
    let chunk: LuaFunction;
    try {
      chunk = engine.compile(nl < 0 ? '' : code.slice(nl));
    } catch (e) {
      if (e instanceof LuaSyntaxError) return { error: `Error compiling function: ${e.message}` };
      throw e;
    }
    engine.registering = (fname, fn, flags, description) => {
      // Redis words a bad function name as a bad library name (functionLibCreateFunction).
      if (!NAME.test(fname)) return 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
      if (library.functions.has(fname)) return 'Function already exists in the library';
      library.functions.set(fname, { name: fname, library, fn, flags, description });
      return undefined;
    };
    this.loading(true);
    try {
      chunk();
    } catch (e) {
      if (!(e instanceof LuaError)) throw e;
      const v = e.value;
      const err = v instanceof LuaTable && typeof v.getStr('err') === 'string' ? (v.getStr('err') as string) : `ERR ${engine.R.tostring(v)}`;
      return { error: `Error registering functions: ${err}` };
    } finally {
      engine.registering = undefined;
      this.loading(false);
    }
    if (library.functions.size === 0) return { error: 'No functions registered' };
    return { library };
  }

  remove(lib: Library): void {
    this.libraries.delete(lib.name);
    for (const f of lib.functions.values()) this.functions.delete(f.name);
  }
}

const states = new WeakMap<ServerContext, Functions>();

/** Drops every library (emptyData without EMPTYDB_NOFUNCTIONS: DEBUG RELOAD). */
export function flushLibraries(server: ServerContext): void {
  states.delete(server);
}

/** The code of every library, for an RDB file (rdbSaveFunctions). */
export function libraryCodes(server: ServerContext): string[] {
  return [...(states.get(server)?.libraries.values() ?? [])].map((l) => l.code);
}

/** Libraries read from an RDB file, added to what is loaded; an error text on the first failure. */
export function loadLibraries(server: ServerContext, codes: readonly string[], replace = false): string | undefined {
  if (codes.length === 0) return undefined;
  const f = functionsOf(server);
  for (const code of codes) {
    const made = f.create(code, (name) => (f.libraries.has(name) && !replace ? `Library '${name}' already exists` : undefined));
    if ('error' in made) return made.error;
    const old = f.libraries.get(made.library.name);
    if (old) f.remove(old);
    for (const name of made.library.functions.keys()) if (f.functions.has(name)) return `Function ${name} already exists`;
    f.install(made.library);
  }
  return undefined;
}

/** The libraries of `server`: how many, their functions, and the bytes of their code. */
export function libraryStats(server: ServerContext): { functions: number; libraries: number; bytes: number } {
  const f = states.get(server);
  let bytes = 0;
  for (const l of f?.libraries.values() ?? []) bytes += l.code.length;
  return { functions: f?.functions.size ?? 0, libraries: f?.libraries.size ?? 0, bytes };
}
function functionsOf(server: ServerContext): Functions {
  let f = states.get(server);
  if (!f) {
    f = new Functions(server);
    states.set(server, f);
  }
  return f;
}

function functionLoad(call: CommandCall): void {
  const { args, reply, server } = call;
  let replace = false;
  let i = 2;
  for (; i < args.count - 1; i++) {
    if (args.is(i, 'replace')) replace = true;
    else {
      reply.error(`Unknown option given: ${args.str(i)}`);
      return;
    }
  }
  if (i >= args.count) {
    reply.error('Function code is missing');
    return;
  }
  const r = functionsOf(server).load(args.str(i), replace);
  if ('error' in r) reply.error(r.error);
  else {
    server.dirty++;
    reply.bulkStr(r.name);
  }
}

function fcall(call: CommandCall, readOnly: boolean): void {
  const { args, reply, server } = call;
  server.feedMonitors(call);
  const f = functionsOf(server);
  const fn = f.functions.get(args.str(1));
  if (!fn) {
    reply.error('Function not found');
    return;
  }
  const numkeys = numkeysArg(call);
  if (numkeys === undefined) return;
  if (fn.flags.includes('no-cluster') && server.cluster !== undefined) {
    reply.error(NO_CLUSTER);
    return;
  }
  const noWrites = fn.flags.includes('no-writes');
  if (readOnly && !noWrites) {
    reply.error('Can not execute a script with write flag using *_ro command.');
    return;
  }
  const allowOom = fn.flags.includes('allow-oom');
  if (!allowOom && !noWrites && server.preCommandOom && server.config.int('maxmemory') > 0) {
    reply.error("-OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
    return;
  }
  const keys: string[] = [];
  const argv: string[] = [];
  for (let i = 3; i < args.count; i++) (i < 3 + numkeys ? keys : argv).push(args.str(i));
  runScript(call, f.engine, fn.name, () => fn.fn(LuaTable.from(keys), LuaTable.from(argv)), readOnly || noWrites, allowOom, fn.flags.includes('allow-cross-slot-keys'));
}

function functionList(call: CommandCall): void {
  const { args, reply, server } = call;
  let pattern: string | undefined;
  let withCode = false;
  for (let i = 2; i < args.count; i++) {
    if (args.is(i, 'withcode')) withCode = true;
    else if (args.is(i, 'libraryname')) {
      if (i + 1 >= args.count) {
        reply.error('library name argument was not given');
        return;
      }
      pattern = args.str(++i);
    } else {
      reply.error(`Unknown argument ${args.str(i)}`);
      return;
    }
  }
  const libs = [...(states.get(server)?.libraries.values() ?? [])].filter((l) => pattern === undefined || globMatch(pattern, l.name));
  reply.array(libs.length);
  for (const lib of libs) {
    reply.map(withCode ? 4 : 3);
    reply.bulkStr('library_name');
    reply.bulkStr(lib.name);
    reply.bulkStr('engine');
    reply.bulkStr('LUA');
    reply.bulkStr('functions');
    reply.array(lib.functions.size);
    for (const f of lib.functions.values()) {
      reply.map(3);
      reply.bulkStr('name');
      reply.bulkStr(f.name);
      reply.bulkStr('description');
      if (f.description === undefined) reply.nullBulk();
      else reply.bulkStr(f.description);
      reply.bulkStr('flags');
      reply.set(f.flags.length);
      for (const flag of f.flags) reply.bulkStr(flag);
    }
    if (withCode) {
      reply.bulkStr('library_code');
      reply.bulkStr(lib.code);
    }
  }
}

function functionDelete({ args, reply, server }: CommandCall): void {
  const f = states.get(server);
  const lib = f?.libraries.get(args.str(2));
  if (!f || !lib) {
    reply.error('Library not found');
    return;
  }
  f.remove(lib);
  server.dirty++;
  reply.status('OK');
}

function functionFlush({ args, reply, server }: CommandCall): void {
  if (args.count > 3 || (args.count === 3 && !args.is(2, 'sync') && !args.is(2, 'async'))) {
    reply.error('FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  states.delete(server);
  server.dirty++;
  reply.status('OK');
}

function functionDump({ reply, server }: CommandCall): void {
  const parts: number[] = [];
  const compress = server.config.bool('rdbcompression');
  for (const lib of states.get(server)?.libraries.values() ?? []) {
    parts.push(RDB_OPCODE_FUNCTION2, ...encodeString(Buffer.from(lib.code, 'latin1'), compress));
  }
  reply.bulk(withFooter(Uint8Array.from(parts)));
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (functionRestoreCommand and libraryJoin). */
function functionRestore(call: CommandCall): void {
  const { args, reply, server } = call;
  if (args.count > 4) {
    reply.error(`unknown subcommand or wrong number of arguments for '${args.str(1)}'. Try FUNCTION HELP.`);
    return;
  }
  let policy = 'append';
  if (args.count === 4) {
    policy = args.str(3).toLowerCase();
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      reply.error('Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
  }
  const body = checkFooter(args.buf(2));
  if (!body) {
    reply.error('DUMP payload version or checksum are wrong');
    return;
  }
  const f = functionsOf(server);
  const loaded = new Map<string, Library>();
  const rd = new RdbReader(body);
  while (!rd.done) {
    const type = rd.byte();
    let error: string | undefined;
    if (type === RDB_OPCODE_FUNCTION_PRE_GA) error = 'Pre-GA function format not supported';
    else if (type !== RDB_OPCODE_FUNCTION2) error = 'given type is not a function';
    const code = error === undefined ? rd.string() : undefined;
    if (error === undefined && code === undefined) error = 'failed loading the given functions payload';
    if (error === undefined) {
      const made = f.create(Buffer.from(code!).toString('latin1'), (name) => (loaded.has(name) ? `Library '${name}' already exists` : undefined));
      if ('error' in made) error = made.error;
      else loaded.set(made.library.name, made.library);
    }
    if (error !== undefined) {
      reply.error(error);
      return;
    }
  }
  // libraryJoin: FLUSH drops what is there; APPEND refuses a library that exists; REPLACE
  // replaces it. A function name clash with a library that stays fails the whole restore.
  const staying = new Map(policy === 'flush' ? [] : f.libraries);
  for (const lib of loaded.values()) {
    if (!staying.has(lib.name)) continue;
    if (policy === 'append') {
      reply.error(`Library ${lib.name} already exists`);
      return;
    }
    staying.delete(lib.name);
  }
  const taken = new Set<string>();
  for (const lib of staying.values()) for (const name of lib.functions.keys()) taken.add(name);
  for (const lib of loaded.values()) {
    for (const name of lib.functions.keys()) {
      if (taken.has(name)) {
        reply.error(`Function ${name} already exists`);
        return;
      }
    }
  }
  for (const lib of [...f.libraries.values()]) if (!staying.has(lib.name)) f.remove(lib);
  for (const lib of loaded.values()) f.install(lib);
  server.dirty++;
  reply.status('OK');
}

function functionStats({ reply, server }: CommandCall): void {
  const f = states.get(server);
  reply.map(2);
  reply.bulkStr('running_script');
  reply.nullBulk();
  reply.bulkStr('engines');
  reply.map(1);
  reply.bulkStr('LUA');
  reply.map(2);
  reply.bulkStr('libraries_count');
  reply.integer(f?.libraries.size ?? 0);
  reply.bulkStr('functions_count');
  reply.integer(f?.functions.size ?? 0);
}

const FUNCTION_HELP = [
  'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
  'HELP',
  '    Print this help.',
];

const FCALL_SPECS = [{ notes: 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE', flags: ['RW', 'access', 'update'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }];
const FCALL_RO_SPECS = [{ flags: ['RO', 'access'], begin: 2, lastKey: 0, step: 1, keynum: { index: 0, first: 1, step: 1 } }];
const SUB = F.NoScript;

export const functionCommands: CommandDef[] = [
  {
    name: 'fcall', arity: -3, flags: F.NoScript | F.SkipMonitor | F.MayReplicate | F.NoMandatoryKeys | F.Stale | F.MovableKeys,
    acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Invokes a function.',
    complexity: 'Depends on the function that is executed.', keySpecs: FCALL_SPECS, handler: (c) => fcall(c, false),
  },
  {
    name: 'fcall_ro', arity: -3, flags: F.NoScript | F.SkipMonitor | F.NoMandatoryKeys | F.Stale | F.Readonly | F.MovableKeys,
    acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Invokes a read-only function.',
    complexity: 'Depends on the function that is executed.', keySpecs: FCALL_RO_SPECS, handler: (c) => fcall(c, true),
  },
  {
    name: 'function', arity: -2, flags: 0, acl: ['slow'], group: 'scripting', since: '7.0.0',
    summary: 'A container for function commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      { name: 'load', arity: -3, flags: SUB | F.Write | F.DenyOom, acl: ['write', 'slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Creates a library.', complexity: 'O(1) (considering compilation time is redundant)', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: functionLoad },
      { name: 'delete', arity: 3, flags: SUB | F.Write, acl: ['write', 'slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Deletes a library and its functions.', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: functionDelete },
      { name: 'flush', arity: -2, flags: SUB | F.Write, acl: ['write', 'slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Deletes all libraries and functions.', complexity: 'O(N) where N is the number of functions deleted', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: functionFlush },
      { name: 'list', arity: -2, flags: SUB, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Returns information about all libraries.', complexity: 'O(N) where N is the number of functions', tips: ['nondeterministic_output_order'], handler: functionList },
      { name: 'stats', arity: 2, flags: SUB | F.AllowBusy, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Returns information about a function during execution.', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: functionStats },
      { name: 'kill', arity: 2, flags: SUB | F.AllowBusy, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Terminates a function during execution.', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:one_succeeded'], handler: ({ reply }) => reply.error('-NOTBUSY No scripts in execution right now.') },
      { name: 'dump', arity: 2, flags: SUB, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Dumps all libraries into a serialized binary payload.', complexity: 'O(N) where N is the number of functions', handler: functionDump },
      { name: 'restore', arity: -3, flags: SUB | F.Write | F.DenyOom, acl: ['write', 'slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Restores all libraries from a payload.', complexity: 'O(N) where N is the number of functions on the payload', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: functionRestore },
      { name: 'help', arity: 2, flags: SUB | F.Loading | F.Stale, acl: ['slow', 'scripting'], group: 'scripting', since: '7.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)', handler: (c) => replyHelp(c, FUNCTION_HELP) },
    ],
  },
];
