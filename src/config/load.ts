// Startup configuration: the command line `respd [/path/to/redis.conf] [--directive value ...]` and
// the redis.conf format, read the way redis-server 7 reads them (server.c main, config.c
// loadServerConfig*), with its exact "*** FATAL CONFIG FILE ERROR ***" reports.
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Config } from './config.js';
import { findDirective } from './directives.js';
import { REDIS_VERSION } from './version.js';
import { nodeCrypto } from '../util/crypto.js';
import { strerror } from '../util/errors.js';
import { globMatch } from '../util/glob.js';
import { repr, splitArgs } from '../util/sds.js';

/** Outside knowledge the loader may be given; each has a sensible default. */
export interface LoadHooks {
  /** Whether a command exists, for rename-command. Without it every source name is accepted. */
  isCommand?: (name: string) => boolean;
  /** Directory listing for `include` with wildcards (default: fs.readdirSync). */
  listDir?: (dir: string) => string[];
  /** Opens the logfile for append as Redis does at load; returns strerror text on failure (default: fs). */
  openLog?: (path: string) => string | undefined;
}

/**
 * - action 'run': start the server with `config`; `configFile` is the absolute path of the file given.
 * - action 'version' | 'help': `-v`/`--version` or `-h`/`--help` came first; write `text` to `stream`
 *   and exit with `exitCode` (redis-server prints the version on stdout and exits 0, the usage on
 *   stderr and exits 1).
 * - ok false: write `message` as is to stderr and exit 1; when `viaLog` is set, Redis reports this one
 *   through its log (a "# " warning line) rather than raw on stderr.
 */
export type LoadResult =
  | { ok: true; action: 'run'; config: Config; configFile?: string; warnings: string[] }
  | { ok: true; action: 'version'; text: string; stream: 'stdout'; exitCode: 0 }
  | { ok: true; action: 'help'; text: string; stream: 'stderr'; exitCode: 1 }
  | { ok: false; message: string; viaLog: boolean };

type Failure = { ok: false; message: string; viaLog: boolean };

const VERSION_TEXT = `Redis server v=${REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=0000000000000000\n`;

const USAGE_TEXT =
  'Usage: respd [/path/to/redis.conf] [options]\n' +
  '       respd -v or --version\n' +
  '       respd -h or --help\n\n' +
  'Examples:\n' +
  '       respd (run the server with default conf)\n' +
  '       respd /etc/redis/6379.conf\n' +
  '       respd --port 7777\n' +
  '       respd --port 7777 --replicaof 127.0.0.1 8888\n' +
  '       respd /etc/myredis.conf --loglevel verbose\n';

// Directives Redis still accepts (with exactly one value) and ignores.
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);
const MAX_INCLUDE_DEPTH = 64; // Redis recurses until it crashes; we stop with an error instead

// Redis works on bytes: the loader handles text as latin1 "byte strings" so that quoting, \xHH
// escapes and error echoes behave byte for byte, and decodes values back to UTF-8 at the edges.
const toBytes = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const fromBytes = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');
const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function fatal(err: string, at?: { line: number; text: string }): Failure {
  let m = `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n`;
  if (at) m += `Reading the configuration file, at line ${at.line}\n>>> '${at.text}'\n`;
  return { ok: false, message: fromBytes(m + err + '\n'), viaLog: false };
}

const logged = (message: string): Failure => ({ ok: false, message, viaLog: true });

interface LoadState {
  readonly config: Config;
  readonly readFile: (path: string) => string;
  readonly hooks: LoadHooks;
  /** Redis's global reading_config_file (see SetOptions.readingConfigFile). */
  readingConfigFile: boolean;
  depth: number;
  readonly users: Set<string>;
  readonly renamedAway: Set<string>;
  readonly renamedTo: Set<string>;
  moduleConfigs: boolean;
  readonly warnings: string[];
}

/**
 * Parses `argv` (the arguments after the program name) as redis-server does: an optional config
 * file first, then `--name value...` options appended to it as config lines.
 */
export function loadConfig(
  argv: readonly string[],
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
  hooks: LoadHooks = {},
): LoadResult {
  const first = argv[0];
  if (first === '-v' || first === '--version') return { ok: true, action: 'version', text: VERSION_TEXT, stream: 'stdout', exitCode: 0 };
  if (first === '-h' || first === '--help') return { ok: true, action: 'help', text: USAGE_TEXT, stream: 'stderr', exitCode: 1 };
  if (first === '--test-memory') return { ok: false, message: '--test-memory is not supported by this server\n', viaLog: false };
  if (argv.includes('--sentinel')) return { ok: false, message: 'Sentinel mode is not supported by this server\n', viaLog: false };

  const config = Config.defaults();
  const state: LoadState = {
    config, readFile, hooks, readingConfigFile: false, depth: 0,
    users: new Set(), renamedAway: new Set(), renamedTo: new Set(), moduleConfigs: false, warnings: [],
  };
  if (argv.length === 0) return { ok: true, action: 'run', config, warnings: [] };

  let j = 0;
  let configFile: string | undefined;
  if (first !== undefined && !first.startsWith('-')) {
    configFile = resolve(first);
    j = 1;
  }
  // server.c main: `--name` starts a new line, other arguments are quoted values of the last one.
  let options = '';
  let handledLast = true;
  for (; j < argv.length; j++) {
    const arg = toBytes(argv[j] as string);
    const next = argv[j + 1];
    if (arg === '-' && (j === 0 || j === argv.length - 1))
      return { ok: false, message: "Reading the configuration from stdin ('-') is not supported by this server\n", viaLog: false };
    if (handledLast && arg.startsWith('--')) {
      if (options.length) options += '\n';
      options += arg.slice(2) + ' ';
      if ((splitArgs(arg) ?? []).length === 1) {
        handledLast = false;
        // `--save` with no value means `--save ""` (redis-server keeps pre-7.0 command lines working).
        if (asciiLower(arg) === '--save' && (next === undefined || next.startsWith('--'))) {
          options += '""';
          handledLast = true;
        }
      } else {
        handledLast = true; // "--port 6380" as one argument
      }
    } else {
      options += repr(arg) + ' ';
      handledLast = true;
    }
  }

  let text = '';
  if (configFile !== undefined) {
    const r = readConfigFile(configFile, state);
    if (typeof r !== 'string') return r;
    text = r;
  }
  const cliFrom = text.split('\n').length; // lines from here on came from flags
  const failed = loadFromString(text + '\n' + options, state, cliFrom);
  if (failed) return failed;
  if (state.moduleConfigs)
    return logged('Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting');
  return configFile === undefined
    ? { ok: true, action: 'run', config, warnings: state.warnings }
    : { ok: true, action: 'run', config, configFile, warnings: state.warnings };
}

/**
 * config.c loadServerConfig: one file, or every match of a wildcard pattern, concatenated (so line
 * numbers run on across the matches). Returns the text as a byte string.
 */
function readConfigFile(filename: string, state: LoadState): string | Failure {
  const paths = /[*?[]/.test(filename) ? expandGlob(filename, state.hooks.listDir ?? ((d) => readdirSync(d))) : [filename];
  let text = '';
  for (const p of paths) {
    try {
      text += toBytes(state.readFile(p));
    } catch (e) {
      return logged(`Fatal error, can't open config file '${p}': ${strerror((e as NodeJS.ErrnoException).code)}`);
    }
  }
  return text;
}

/** glob(3) without flags: sorted matches, no dot files unless asked for, no match is no error. */
function expandGlob(pattern: string, listDir: (dir: string) => string[]): string[] {
  const parts = pattern.split('/');
  let found = [parts[0] === '' ? '' : parts[0] as string];
  if (/[*?[]/.test(parts[0] as string)) found = matchIn('.', parts[0] as string, listDir).map((n) => n);
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const base of found) {
      if (!/[*?[]/.test(part)) next.push(`${base}/${part}`);
      else for (const n of matchIn(base === '' ? '/' : base, part, listDir)) next.push(`${base}/${n}`);
    }
    found = next;
  }
  return found;
}

function matchIn(dir: string, part: string, listDir: (dir: string) => string[]): string[] {
  let names: string[];
  try {
    names = listDir(dir);
  } catch {
    return [];
  }
  return names.filter((n) => (!n.startsWith('.') || part.startsWith('.')) && globMatch(part, n, false)).sort();
}

/** config.c loadServerConfigFromString. Returns a failure, or undefined when all lines applied. */
function loadFromString(text: string, state: LoadState, cliFrom: number): Failure | undefined {
  const { config } = state;
  state.readingConfigFile = true;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '' || line.startsWith('#')) continue;
    const at = { line: i + 1, text: line };
    const argv = splitArgs(line);
    if (argv === undefined) return fatal('Unbalanced quotes in configuration line', at);
    if (argv.length === 0) continue;
    const name = asciiLower(argv[0] as string);
    const argc = argv.length;

    const row = findDirective(name);
    if (row && !row.fileOnly) {
      const from = i >= cliFrom ? 'cli' : 'file';
      const r = config.set(name, argv.slice(1).map(fromBytes), from, { readingConfigFile: state.readingConfigFile });
      if (!r.ok) return fatal(r.error, at);
      continue;
    }
    if (DEPRECATED.has(name) && argc === 2) continue;

    if (name === 'include' && argc === 2) {
      if (++state.depth > MAX_INCLUDE_DEPTH) return fatal('Too many nested include directives', at);
      const inc = readConfigFile(fromBytes(argv[1] as string), state);
      if (typeof inc !== 'string') return inc;
      const failed = loadFromString(inc, state, Infinity);
      state.depth--;
      if (failed) return failed;
    } else if (name === 'rename-command' && argc === 3) {
      const err = renameCommand(argv[1] as string, argv[2] as string, state);
      if (err) return fatal(err, at);
      config.addFileDirective('rename-command', [fromBytes(argv[1] as string), fromBytes(argv[2] as string)]);
    } else if (name === 'user' && argc >= 2) {
      const err = checkUserLine(argv, state.users);
      if (err) return fatal(err, at);
      config.addFileDirective('user', argv.slice(1).map(fromBytes));
    } else if (name === 'loadmodule' && argc >= 2) {
      return fatal('Modules are not supported: loadmodule cannot be used with this server', at);
    } else if (name.includes('.')) {
      // A module's own directive: Redis queues it for the module, and aborts later when none loads.
      if (argc < 2) return fatal('Module config specified without value', at);
      state.moduleConfigs = true;
    } else if (name === 'sentinel') {
      // A bare `sentinel` line only selects sentinel mode (done from argv); anything more needs it.
      if (argc !== 1) return fatal('sentinel directive while not in sentinel mode', at);
    } else {
      return fatal('Bad directive or wrong number of arguments', at);
    }
  }

  // Checks Redis makes at the end of every loaded text (an include too).
  const logfile = config.str('logfile');
  if (logfile !== '') {
    const err = (state.hooks.openLog ?? openForAppend)(logfile);
    if (err !== undefined) return fatal(`Can't open the log file: ${err}`);
  }
  if (config.bool('cluster-enabled') && config.str('replicaof') !== '')
    return fatal('replicaof directive not allowed in cluster mode');
  if (config.bool('cluster-enabled') && config.int('databases') > 1) {
    state.warnings.push(`WARNING: Changing databases number from ${config.int('databases')} to 1 since we are in cluster mode`);
    config.set('databases', ['1'], 'file');
  }
  state.readingConfigFile = false;
  return undefined;
}

function openForAppend(path: string): string | undefined {
  try {
    closeSync(openSync(path, 'a'));
    return undefined;
  } catch (e) {
    return strerror((e as NodeJS.ErrnoException).code);
  }
}

/** rename-command old new: the old name must exist now; an empty new name just removes it. */
function renameCommand(from: string, to: string, state: LoadState): string | undefined {
  const exists = (n: string, unknown: boolean) => {
    const k = asciiLower(n);
    if (state.renamedTo.has(k)) return true;
    if (state.renamedAway.has(k)) return false;
    return state.hooks.isCommand ? state.hooks.isCommand(fromBytes(k)) : unknown;
  };
  if (!exists(from, true)) return 'No such command in rename-command';
  state.renamedAway.add(asciiLower(from));
  state.renamedTo.delete(asciiLower(from));
  if (to !== '') {
    if (exists(to, false)) return 'Target command name already exists';
    state.renamedTo.add(asciiLower(to));
  }
  return undefined;
}

// ---- `user` lines: acl.c ACLAppendUserForLoading's checks, with its error texts -------------

const ACL_ERRORS = {
  EINVAL: 'Syntax error',
  ENOENT: 'Unknown command or category name in ACL',
  EEXIST: "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  EISDIR: "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  EALREADY: 'Duplicate user found. A user can only be defined once in config files',
} as const;
type AclErr = keyof typeof ACL_ERRORS;

interface Selector {
  allkeys: boolean;
  allchannels: boolean;
}

/** acl.c ACLSetSelector: key, channel and command rules (unknown commands are not errors at load). */
function selectorRule(op: string, sel: Selector): AclErr | undefined {
  const lower = asciiLower(op);
  if (lower === 'allkeys' || op === '~*') sel.allkeys = true;
  else if (lower === 'resetkeys') sel.allkeys = false;
  else if (lower === 'allchannels' || op === '&*') sel.allchannels = true;
  else if (lower === 'resetchannels') sel.allchannels = false;
  else if (lower === 'allcommands' || lower === 'nocommands') return undefined;
  else if (op[0] === '~' || op[0] === '%') {
    if (sel.allkeys) return 'EEXIST';
    if (op[0] === '%') {
      let r = false;
      let w = false;
      let i = 1;
      for (; i < op.length && op[i] !== '~'; i++) {
        const c = (op[i] as string).toUpperCase();
        if (c === 'R' && !r) r = true;
        else if (c === 'W' && !w) w = true;
        else return 'EINVAL';
      }
      if (i >= op.length || !(r || w)) return 'EINVAL';
    }
  } else if (op[0] === '&') {
    if (sel.allchannels) return 'EISDIR';
  } else if (op[0] !== '+' && op[0] !== '-') {
    return 'EINVAL';
  }
  return undefined;
}

/** Validates `user <name> rule...`; returns the load error text, as Redis words it, or undefined. */
function checkUserLine(argv: readonly string[], users: Set<string>): string | undefined {
  // Redis reports argv[i] where i indexes the rules, not the line: an off-by-two we reproduce.
  const fail = (i: number, e: AclErr) => `Error in user declaration '${argv[i]}': ${ACL_ERRORS[e]}`;
  const name = argv[1] as string;
  if (users.has(name)) return fail(1, 'EALREADY');

  // ACLMergeSelectorArguments: "(~a" "+get)" is one selector rule.
  const rules: string[] = [];
  let open = -1;
  let selector = '';
  argv.slice(2).forEach((op, j) => {
    if (open < 0 && op.startsWith('(') && !op.endsWith(')')) {
      open = j;
      selector = op;
    } else if (open >= 0) {
      selector += ' ' + op;
      if (op.endsWith(')')) {
        open = -1;
        rules.push(selector);
      }
    } else {
      rules.push(op);
    }
  });
  if (open >= 0) return fail(open, 'ENOENT');

  const hashes = new Set<string>();
  const root: Selector = { allkeys: false, allchannels: false };
  const sha = (pw: string) => nodeCrypto().createHash('sha256').update(Buffer.from(pw, 'latin1')).digest('hex');
  const validHash = (h: string) => /^[0-9a-f]{64}$/.test(h);
  for (let j = 0; j < rules.length; j++) {
    const op = rules[j] as string;
    const lower = asciiLower(op);
    let err: AclErr | undefined;
    if (op === '' || ['on', 'off', 'skip-sanitize-payload', 'sanitize-payload', 'clearselectors'].includes(lower)) err = undefined;
    else if (lower === 'nopass' || lower === 'resetpass') hashes.clear();
    else if (lower === 'reset') {
      hashes.clear();
      Object.assign(root, { allkeys: false, allchannels: false });
    } else if (op[0] === '>') hashes.add(sha(op.slice(1)));
    else if (op[0] === '#') err = validHash(op.slice(1)) ? (hashes.add(op.slice(1)), undefined) : 'EBADMSG';
    else if (op[0] === '<') err = hashes.delete(sha(op.slice(1))) ? undefined : 'ENODEV';
    else if (op[0] === '!') err = !validHash(op.slice(1)) ? 'EBADMSG' : hashes.delete(op.slice(1)) ? undefined : 'ENODEV';
    else if (op[0] === '(' && op.endsWith(')')) {
      const inner = splitArgs(op.slice(1, -1)) ?? [];
      const sel: Selector = { allkeys: false, allchannels: false };
      for (const r of inner) if ((err = selectorRule(r, sel))) break;
    } else err = selectorRule(op, root);
    if (err && err !== 'ENOENT') return fail(j, err);
  }
  users.add(name);
  return undefined;
}
